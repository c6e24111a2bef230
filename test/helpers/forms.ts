/**
 * A small form parser for "a page is tested as the browser posts it": the forms of a rendered page with
 * their action and the fields a browser would send (hidden, text, checked boxes/radios, selected options,
 * textareas, and the submit button's own name/value when one is chosen).
 */
export interface ParsedForm {
  action: string;
  method: string;
  html: string;
  /** Every successful control as [name, value] pairs, in document order (repeated names kept). */
  fields: [string, string][];
  inputs: { name: string; value: string; type: string; checked: boolean; id: string }[];
}

const attr = (tag: string, name: string): string | null => {
  const m = tag.match(new RegExp(`\\s${name}(?:="([^"]*)")?(?=[\\s>/])`, 'i'));
  return m ? unescape(m[1] ?? '') : null;
};
const unescape = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

export function parseForms(page: string): ParsedForm[] {
  return [...page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((m) => {
    const open = `<form${m[1]}>`;
    const body = m[2];
    const inputs = [...body.matchAll(/<input\b[^>]*>/gi)].map((i) => ({
      name: attr(i[0], 'name') ?? '',
      value: attr(i[0], 'value') ?? '',
      type: (attr(i[0], 'type') ?? 'text').toLowerCase(),
      checked: attr(i[0], 'checked') !== null,
      id: attr(i[0], 'id') ?? '',
    }));
    const fields: [string, string][] = [];
    for (const i of inputs) {
      if (!i.name || i.type === 'submit' || i.type === 'button') continue;
      if ((i.type === 'checkbox' || i.type === 'radio') && !i.checked) continue;
      fields.push([i.name, i.value]);
    }
    for (const t of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
      const name = attr(`<t${t[1]}>`, 'name');
      if (name) fields.push([name, unescape(t[2])]);
    }
    for (const s of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = attr(`<s${s[1]}>`, 'name');
      const options = [...s[2].matchAll(/<option\b([^>]*)>/gi)].map((o) => ({ value: attr(`<o${o[1]}>`, 'value') ?? '', selected: attr(`<o${o[1]}>`, 'selected') !== null }));
      const chosen = options.find((o) => o.selected) ?? options[0];
      if (name && chosen) fields.push([name, chosen.value]);
    }
    return { action: attr(open, 'action') ?? '', method: (attr(open, 'method') ?? 'get').toLowerCase(), html: m[0], fields, inputs };
  });
}

/** The first form whose action matches. */
export function formFor(page: string, action: string | RegExp): ParsedForm {
  const form = parseForms(page).find((f) => (typeof action === 'string' ? f.action === action : action.test(f.action)));
  if (!form) throw new Error(`no form with action ${action} on the page`);
  return form;
}

/** Ticks or unticks a checkbox (by its value) in a parsed form's fields, as a person would. */
export function setChecked(form: ParsedForm, name: string, value: string, checked: boolean): void {
  const has = form.fields.some(([n, v]) => n === name && v === value);
  if (checked && !has) {
    if (!form.inputs.some((i) => i.name === name && i.value === value)) throw new Error(`no checkbox ${name}=${value} in the form`);
    form.fields.push([name, value]);
  }
  if (!checked && has) form.fields = form.fields.filter(([n, v]) => !(n === name && v === value));
}

export const urlencoded = (fields: [string, string][]): string => new URLSearchParams(fields).toString();
