import type { FastifyReply, FastifyRequest } from 'fastify';
import { layout, type LayoutOptions, type PageContext } from './views/layout.ts';
import type { SafeHtml } from './views/html.ts';

export function pageContext(req: FastifyRequest, reply: FastifyReply): PageContext {
  return {
    locale: req.locale,
    t: req.t,
    url: req.url,
    user: req.user ? { email: req.user.email, role: req.user.role } : null,
    csrfToken: reply.generateCsrf(),
  };
}

/** Renders a full page; pages are never cached (they may carry a CSRF token or personal data). */
export function sendPage(
  reply: FastifyReply,
  ctx: PageContext,
  title: string,
  body: SafeHtml,
  opts: LayoutOptions & { status?: number } = {},
) {
  return reply
    .code(opts.status ?? 200)
    .header('Cache-Control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(layout(ctx, title, body, opts));
}
