import type { FastifyInstance } from 'fastify';
import { LOCALES } from '../../domain/locales.ts';
import type { Config } from '../../config.ts';
import type { Clock } from '../../platform/clock.ts';

/** security.txt stays valid this long after it is served; RFC 9116 §2.5.5 advises less than a year. */
const EXPIRES_DAYS = 180;

/**
 * RFC 9116 security.txt: where to report a vulnerability in this deployment. Expires is computed from the
 * injected clock (whole days, so the file is the same all day and caches agree); Canonical is PUBLIC_URL's.
 */
export function securityTxt(clock: Clock, config: Pick<Config, 'publicUrl' | 'security'>): string {
  const { publicUrl, security } = config;
  const contact = security?.contact ?? `mailto:security@${new URL(publicUrl).hostname}`;
  const now = clock.now();
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const expires = new Date(day + EXPIRES_DAYS * 86_400_000).toISOString().replace('.000Z', 'Z');
  return [
    `Contact: ${contact}`,
    `Expires: ${expires}`,
    `Preferred-Languages: ${LOCALES.join(', ')}`,
    `Canonical: ${publicUrl}/.well-known/security.txt`,
    '',
  ].join('\n');
}

export default async function wellKnownRoutes(app: FastifyInstance, opts: { clock: Clock; config: Config }) {
  app.get('/.well-known/security.txt', async (_req, reply) =>
    reply.header('Cache-Control', 'public, max-age=86400').type('text/plain; charset=utf-8').send(securityTxt(opts.clock, opts.config)),
  );
}
