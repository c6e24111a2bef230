/**
 * Logs are read by more people, kept longer and copied further than the database, so they carry no capability
 * tokens (status, setup, offer and ticket links are bearer secrets), no email addresses and no names. Three layers:
 *  1. serializers: request URLs lose their capability segments and query values; errors keep only
 *     type/code/message/stack (PostgreSQL's `detail`, `where`, parameters … can quote row values);
 *  2. pino's redact for fields that hold people's data or secrets wherever a log call passes them;
 *  3. every finished line is scrubbed once more (paths and addresses inside messages, e.g. Fastify's
 *     "Route GET:/a/<token> not found", an SMTP error quoting a recipient) before it is written.
 */
const REDACTED = '[redacted]';

/** Path prefixes whose next segment is a capability token (public status pages, staff setup, the JSON API). */
const CAPABILITY_PATH = /(\/(?:a|setup|password-reset|api\/v1\/applications))\/[^/?#\s"'\\]+/g;
// Local part and domain as RFC 5321 allows them in practice; also matches inside JSON strings and mailto:.
const EMAIL = /[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

/** A URL (path + query) as it may appear in a log: capability segments and every query value redacted. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(CAPABILITY_PATH, `$1/${REDACTED}`);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join('&');
  return `${path}?${query}`;
}

/** Capability paths and email addresses anywhere in a text (a message, a stack, a finished JSON line). */
export function scrubText(text: string): string {
  return text.replace(CAPABILITY_PATH, `$1/${REDACTED}`).replace(EMAIL, '[email]');
}

interface RequestLike {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

const serializers = {
  req(req: RequestLike) {
    return { method: req.method, url: req.url ? redactUrl(req.url) : req.url, host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
  },
  err(err: unknown) {
    if (!(err instanceof Error)) return { message: scrubText(String(err)) };
    const e = err as Error & { code?: unknown; statusCode?: unknown };
    return {
      type: e.constructor?.name ?? 'Error',
      ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
      ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
      message: scrubText(e.message),
      stack: e.stack ? scrubText(e.stack) : undefined,
    };
  },
};

const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'email',
  'name',
  'password',
  'token',
  '*.email',
  '*.name',
  '*.password',
  '*.token',
  '*.guests',
  '*.answers',
];

interface Writable {
  write(chunk: string): unknown;
}

/** The destination every line goes through, scrubbed (layer 3). */
export function scrubbingStream(dest: Writable): Writable {
  return { write: (line: string) => dest.write(scrubText(line)) };
}

/**
 * Pino options for Fastify's `logger`, with the redaction layers added to what the caller asked for
 * (`true` = info level to stdout). Returns false for no logging.
 */
export function redactingLoggerOptions(logger: boolean | object | undefined): false | Record<string, unknown> {
  if (!logger) return false;
  const given = (logger === true ? {} : logger) as Record<string, unknown> & { stream?: Writable; serializers?: object };
  return {
    level: 'info',
    ...given,
    serializers: { ...serializers, ...given.serializers, req: serializers.req, err: serializers.err },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    stream: scrubbingStream(given.stream ?? process.stdout),
  };
}
