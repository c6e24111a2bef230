/**
 * Escape-by-default templates: every interpolated value is HTML-escaped unless it is
 * already SafeHtml (the result of another html`` call, or raw() for trusted markup we built).
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]);

type Value = SafeHtml | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Only for markup this code base produced itself (never for user input). */
export const raw = (s: string): SafeHtml => new SafeHtml(s);

/** Plain text with paragraphs and line breaks kept, escaped. */
export function paragraphs(text: string): SafeHtml {
  const parts = text.split(/\n{2,}/).filter((p) => p.trim());
  return html`${parts.map((p) => html`<p>${p.split('\n').map((line, i) => (i ? html`<br>${line}` : html`${line}`))}</p>`)}`;
}
