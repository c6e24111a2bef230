/**
 * The security part of the configuration (its own file so it reads as one piece): who to tell about
 * vulnerabilities (security.txt) and how long a slow or idle client may hold a connection.
 */
export interface SecurityConfig {
  /** RFC 9116 Contact: a mailto: or https: URI; unset = mailto:security@<host of PUBLIC_URL>. */
  contact: string | null;
  /** How long a client may take to send the request headers (Node's server.headersTimeout). */
  headersTimeoutMs: number;
  /** How long a client may take to send the whole request, body included (server.requestTimeout). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests (server.keepAliveTimeout). */
  keepAliveTimeoutMs: number;
}

export const SECURITY_DEFAULTS: SecurityConfig = {
  contact: null,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

function positiveMs(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  // 0 would mean "no timeout" to Node: exactly what these settings exist to prevent.
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive number of milliseconds, got "${raw}"`);
  return n;
}

export function loadSecurityConfig(env: NodeJS.ProcessEnv): SecurityConfig {
  const contact = env.ADMIT_SECURITY_CONTACT || null;
  if (contact && !/^(mailto:|https:\/\/|tel:)/.test(contact)) throw new Error('ADMIT_SECURITY_CONTACT must be a mailto:, https:// or tel: URI');
  const headersTimeoutMs = positiveMs(env, 'ADMIT_HEADERS_TIMEOUT_MS', SECURITY_DEFAULTS.headersTimeoutMs);
  const requestTimeoutMs = positiveMs(env, 'ADMIT_REQUEST_TIMEOUT_MS', SECURITY_DEFAULTS.requestTimeoutMs);
  if (requestTimeoutMs < headersTimeoutMs) throw new Error('ADMIT_REQUEST_TIMEOUT_MS must not be shorter than ADMIT_HEADERS_TIMEOUT_MS');
  return { contact, headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs: positiveMs(env, 'ADMIT_KEEP_ALIVE_TIMEOUT_MS', SECURITY_DEFAULTS.keepAliveTimeoutMs) };
}
