import { AppError, type ErrorCode, type FieldError } from '../errors.ts';
import type { BatchContext, BatchOutcome, PreparedApplication } from './application-batch.ts';

/** Messages between the intake and the SQLite writer thread. Plain data: they cross by structured clone. */
export type ToWriter = { type: 'batch'; id: number; ctx: BatchContext; items: PreparedApplication[] } | { type: 'close' };

export type EncodedError = { app: true; code: ErrorCode; fields: FieldError[]; details: Record<string, unknown> } | { app: false; message: string; code?: string };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'done'; id: number; outcomes: Array<{ ok: BatchOutcome } | { err: EncodedError }> }
  /** The whole batch failed and was rolled back (disk full, I/O error, busy …). */
  | { type: 'failed'; id: number; error: EncodedError }
  | { type: 'closed' };

export function encodeError(err: unknown): EncodedError {
  if (err instanceof AppError) return { app: true, code: err.code, fields: err.fields, details: err.details };
  const e = err as { message?: string; code?: unknown };
  return { app: false, message: String(e?.message ?? err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
}

/** The same kind of error on this side: AppError by code, others with their `code` (SQLITE_FULL …) kept. */
export function decodeError(e: EncodedError): Error {
  if (e.app) return new AppError(e.code, { fields: e.fields, details: e.details });
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
}
