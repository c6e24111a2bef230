/**
 * A small HTML form reader for "test the page as the browser posts it": find a rendered form, read the
 * fields a browser would send (inputs with their values, checked boxes only, each select's selected option,
 * textareas), override what the user types, and build the GET URL or POST body from exactly those fields.
 */
export interface ParsedForm {
  action: string;
  method: string;
  attrs: Record<string, string>;
  fields: [string, string][];
}

const unescape = (s: string) =>
  s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][-\w:.]*)(?:\s*=\s*"([^"]*)")?/g)) out[m[1].toLowerCase()] = m[2] === undefined ? '' : unescape(m[2]);
  return out;
}

export function parseForms(page: string): ParsedForm[] {
  const forms: ParsedForm[] = [];
  for (const m of page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const attrs = attributes(m[1]);
    const inner = m[2];
    const fields: [string, string][] = [];
    for (const el of inner.matchAll(/<input\b([^>]*)>|<select\b([^>]*)>([\s\S]*?)<\/select>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      if (el[1] !== undefined) {
        const a = attributes(el[1]);
        const type = (a.type ?? 'text').toLowerCase();
        if (!a.name || 'disabled' in a || type === 'submit' || type === 'button' || type === 'file') continue;
        if ((type === 'checkbox' || type === 'radio') && !('checked' in a)) continue;
        fields.push([a.name, a.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : '')]);
      } else if (el[2] !== undefined) {
        const a = attributes(el[2]);
        if (!a.name) continue;
        const options = [...el[3].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/g)].map((o) => ({ a: attributes(o[1]), text: o[2] }));
        const chosen = 'multiple' in a ? options.filter((o) => 'selected' in o.a) : [options.find((o) => 'selected' in o.a) ?? options[0]].filter(Boolean);
        for (const o of chosen) fields.push([a.name, o.a.value ?? unescape(o.text.trim())]);
      } else {
        const a = attributes(el[4]);
        if (a.name) fields.push([a.name, unescape(el[5])]);
      }
    }
    forms.push({ action: attrs.action ?? '', method: (attrs.method ?? 'get').toLowerCase(), attrs, fields });
  }
  return forms;
}

/** The one form matching: its action, or an attribute such as role="search". */
export function findForm(page: string, match: (f: ParsedForm) => boolean): ParsedForm {
  const found = parseForms(page).filter(match);
  if (found.length !== 1) throw new Error(`expected one matching form, found ${found.length}`);
  return found[0];
}

/** The fields with some values changed as a user would (a name not in the form is an error: the browser would not send it). */
export function fill(form: ParsedForm, values: Record<string, string>): [string, string][] {
  const names = new Set(form.fields.map(([k]) => k));
  for (const k of Object.keys(values)) if (!names.has(k)) throw new Error(`the form has no field "${k}"`);
  return form.fields.map(([k, v]) => [k, k in values ? values[k] : v]);
}

/** The URL a browser goes to when it submits a GET form from `pageUrl`. */
export function getUrl(pageUrl: string, form: ParsedForm, fields: [string, string][]): string {
  const u = new URL(form.action || pageUrl, `http://x${pageUrl}`);
  u.search = new URLSearchParams(fields).toString();
  return u.pathname + u.search;
}
