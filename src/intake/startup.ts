/**
 * Turns a failure at start into one sentence an operator can act on, and says whether a restart can help.
 * Permanent (disk, permissions, configuration): restarting in a loop would only fill the logs. Transient
 * (PostgreSQL not answering yet): a supervisor may retry.
 */
export function explainStartupError(err: unknown, env: NodeJS.ProcessEnv): { message: string; permanent: boolean } {
  const e = err as { code?: string; message?: string; path?: string } | null;
  const code = e?.code ?? '';
  const msg = e?.message ?? String(err);
  const dataDir = env.ADMIT_DATA_DIR || './data';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') {
    return {
      message: `the data directory ${dataDir} is not writable (${code}${e?.path ? ` at ${e.path}` : ''}). Admit stores the SQLite database and its secret there; make it writable for this user or set ADMIT_DATA_DIR.`,
      permanent: true,
    };
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    return { message: `the disk holding ${dataDir} is full (${code}). Free space, then start again; nothing acknowledged was lost.`, permanent: true };
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return { message: `the SQLite database in ${dataDir} cannot be read or written (${code}): ${msg}`, permanent: true };
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '57P03'].includes(code) || /connect|Connection terminated|timeout/i.test(msg)) {
    return { message: `the database at DATABASE_URL does not answer (${code || msg}). Admit will start once it does.`, permanent: false };
  }
  if (code === '28P01' || code === '3D000' || code === '42501') {
    return { message: `PostgreSQL refused: ${msg} (check DATABASE_URL: user, password, database, privileges).`, permanent: true };
  }
  if (/must be|must start with|invalid/i.test(msg)) return { message: msg, permanent: true };
  if (code === 'EADDRINUSE') return { message: `port ${env.PORT ?? 3000} is in use (set PORT).`, permanent: true };
  return { message: msg, permanent: false };
}
