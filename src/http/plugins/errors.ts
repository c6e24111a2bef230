import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../../errors.ts';
import { errorMessage } from '../views/form.ts';
import { pageContext, sendPage } from '../page.ts';
import { messagePage } from '../views/public/event-page.ts';
import { html } from '../views/html.ts';

const isApi = (req: FastifyRequest) => req.url.startsWith('/api/');

/** Fastify's own errors → our codes. */
function toAppError(err: FastifyError): AppError {
  if (err instanceof AppError) return err;
  if (err.validation) {
    return new AppError('validation.failed', {
      fields: err.validation.map((v) => {
        const path = (v.instancePath || '').replace(/^\//, '').replaceAll('/', '.');
        const missing = (v.params as { missingProperty?: string })?.missingProperty;
        return { field: [path, missing].filter(Boolean).join('.') || 'body', code: v.keyword === 'required' ? 'required' : 'invalid' };
      }),
    });
  }
  if (err.code?.startsWith('FST_CSRF')) return new AppError('csrf.invalid');
  // PostgreSQL refuses NUL in text (22021). Forms and the API refuse control characters before they reach the
  // database; this is the last line for any other field: the client's input, a 422, never a 500.
  if ((err as { code?: string }).code === '22021') return new AppError('validation.failed', { fields: [{ field: 'body', code: 'control_characters' }] });
  if (err.statusCode === 429) return new AppError('rate.limited');
  if (err.statusCode === 404) return new AppError('not_found');
  // Issue 12: a body nobody can read is the client's malformed request (400) and one over the limit is 413 —
  // not a 422 "check your entries", which says the request was understood.
  if (err.statusCode === 413) return new AppError('request.too_large');
  if (err.statusCode === 400) return new AppError('request.malformed');
  if (err.statusCode === 415) {
    return new AppError('validation.failed', { fields: [{ field: 'body', code: 'invalid' }] });
  }
  return new AppError('service.unavailable', { details: { internal: true } });
}

/** The ONE place that maps error codes to HTTP status and localized messages. A 5xx never leaks internals. */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler(async (err: FastifyError, req, reply: FastifyReply) => {
    const e = toAppError(err);
    const internal = e.details.internal === true;
    const status = internal ? (isDatabaseDown(err) ? 503 : 500) : e.status;
    if (internal) req.log.error({ err }, 'unhandled error');
    const code: ErrorCode | 'internal' = status === 500 ? 'internal' : e.code;
    const message = req.t(`errors.code.${code}`);
    if (status === 503 || e.code === 'rate.limited') reply.header('Retry-After', e.details.retryAfter ?? (e.code === 'rate.limited' ? 60 : 5));
    if (isApi(req)) {
      return reply.code(status).send({
        error: {
          code,
          message,
          ...(e.fields.length ? { fields: e.fields.map((f) => ({ field: f.field, code: f.code, message: errorMessage(req.t, f) })) } : {}),
        },
      });
    }
    const ctx = pageContext(req, reply);
    return sendPage(reply, ctx, message, messagePage(message, html`<p>${req.t(`errors.explain.${code}`)}</p><p><a href="/">${req.t('errors.home')}</a></p>`), { status });
  });
  app.setNotFoundHandler(async (req) => {
    void req;
    throw new AppError('not_found');
  });
}

function isDatabaseDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '08001', 'SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN'].includes(e?.code ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect/.test(e?.message ?? '');
}
