import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/**
 * The data directory holds the database, the server secret and (without SMTP) every mail sent: nobody but the
 * service user may read it. Directories are 0700 and files 0600 from the first start, set explicitly rather than
 * trusting the umask, and tightened on start when an older version left them world-readable.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the directory (and missing parents) as 0700, and makes an existing one 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Creates the file empty as 0600 if it is missing, and makes an existing one 0600. SQLite gives its -wal and -shm
 * files the mode of the database file, so preparing the database file this way covers them too.
 */
export function ensurePrivateFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Tightens files that may exist from an earlier start (SQLite's -wal/-shm), ignoring the missing ones. */
export function tightenIfPresent(path: string): void {
  if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
}
