import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Brand } from '../services/brand.ts';
import { contentSecurityPolicy } from './plugins/security.ts';

/**
 * The form inside another site's frame (ADR 0016). Browsers block third-party cookies there, so the embedded form
 * relies on none:
 * - CSRF: the post must come from our own origin (Origin / Sec-Fetch-Site: a form inside our frame posts as us; a
 *   form on any other page posts with that page's origin) and carry a signed, slug-bound token that expires.
 * - Language: ?lang= on every URL of the frame (the form's action included), never the cookie.
 * - The one-time form token (idempotency) was always a hidden field.
 */
const TOKEN_TTL_MS = 6 * 3_600_000;

export function issueEmbedToken(secret: string, slug: string, now: Date): string {
  const ts = now.getTime().toString(36);
  return `${ts}.${sign(secret, slug, ts)}`;
}

function sign(secret: string, slug: string, ts: string): string {
  return createHmac('sha256', secret).update(`admit-embed-form\n${slug}\n${ts}`).digest('base64url');
}

export function verifyEmbedToken(secret: string, slug: string, token: unknown, now: Date): boolean {
  if (typeof token !== 'string' || token.length > 100) return false;
  const [ts, mac] = token.split('.');
  if (!ts || !mac) return false;
  const issued = parseInt(ts, 36);
  if (!Number.isFinite(issued) || issued > now.getTime() + 60_000 || now.getTime() - issued > TOKEN_TTL_MS) return false;
  const want = Buffer.from(sign(secret, slug, ts));
  const got = Buffer.from(mac);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Is this post from our own origin? Browsers send Origin on every form post and Sec-Fetch-Site on most. */
export function postedFromOwnOrigin(req: FastifyRequest, publicUrl: string): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true; // no browser form post omits it; scripts without Origin carry no cookies to abuse
  const own = new Set([new URL(publicUrl).origin, `${req.protocol}://${req.host}`]);
  return own.has(origin);
}

/**
 * Headers of the framed pages: frame-ancestors lists the organizer's sites (none listed: nobody may frame it), and
 * X-Frame-Options goes, since it cannot name another origin (CSP frame-ancestors wins in every current browser).
 */
export function allowFraming(reply: FastifyReply, brand: Brand): void {
  const ancestors = brand.embedOrigins.length ? brand.embedOrigins.join(' ') : "'none'";
  reply.header('content-security-policy', contentSecurityPolicy(ancestors));
  if (brand.embedOrigins.length) reply.removeHeader('x-frame-options');
}

/** The parent page's origin as embed.js announced it, if it is one of the allowed sites (for postMessage). */
export function announcedParent(brand: Brand, parent: unknown): string | null {
  return typeof parent === 'string' && brand.embedOrigins.includes(parent) ? parent : null;
}
