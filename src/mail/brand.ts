/**
 * The event's accent colour in a mail's HTML part (ADR 0016): a bar across the top and the call-to-action button.
 * Mail HTML is not a web page — no CSP, and mail programs drop <style> blocks — so the colour goes into inline
 * styles. Pure: the HTML as rendered (a template, an event's own text, an organizer message) in, branded HTML out.
 * The colour is accepted only as #rrggbb (stored contrast-checked against white button text, domain/colour.ts),
 * so nothing else can reach the style attribute.
 */

/** Admit's own accent: the button colour of every mail (render.ts); replaced by the event's where it has one. */
export const MAIL_ACCENT = '#3b2dbf';

const HEX = /^#[0-9a-f]{6}$/i;

export function brandMailHtml(html: string, accent: string | null): string {
  if (!accent || !HEX.test(accent) || !html) return html;
  const colour = accent.toLowerCase();
  const bar = `<div style="height:6px;background:${colour};margin:0 0 1rem" aria-hidden="true"></div>`;
  const withBar = html.replace(/<body\b[^>]*>/i, (body) => `${body}\n${bar}`);
  return withBar.replaceAll(`background:${MAIL_ACCENT}`, `background:${colour}`);
}
