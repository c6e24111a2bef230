/**
 * "A page is tested as the browser posts it": the fields a form on a rendered page would submit, parsed from the
 * HTML (inputs with their values, checked boxes and radios only, the selected option of each select, textareas),
 * so a test fills in exactly those and posts them to the form's action.
 */
export interface PageForm {
  action: string;
  method: string;
  fields: Record<string, string>;
  /** Names of checkboxes/radios present but unchecked (a test may tick them). */
  unchecked: string[];
}

const unescape = (s: string) =>
  s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[m[1].toLowerCase()] = unescape(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

/** The forms of a page, in document order; `match` picks one by its action (string prefix or RegExp). */
export function pageForms(html: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const f of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const a = attrs(f[1]);
    const body = f[2];
    const fields: Record<string, string> = {};
    const unchecked: string[] = [];
    for (const m of body.matchAll(/<input\b([^>]*)>/g)) {
      const i = attrs(m[1]);
      if (!i.name || 'disabled' in i) continue;
      const type = (i.type ?? 'text').toLowerCase();
      if (type === 'submit' || type === 'button' || type === 'image' || type === 'file') continue;
      if (type === 'checkbox' || type === 'radio') {
        if ('checked' in i) fields[i.name] = i.value ?? 'on';
        else unchecked.push(i.name);
        continue;
      }
      fields[i.name] = i.value ?? '';
    }
    for (const m of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
      const t = attrs(m[1]);
      if (t.name && !('disabled' in t)) fields[t.name] = unescape(m[2]).replace(/^\n/, '');
    }
    for (const m of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const s = attrs(m[1]);
      if (!s.name || 'disabled' in s) continue;
      const options = [...m[2].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/g)].map((o): Record<string, string> => ({ ...attrs(o[1]), text: unescape(o[2]) }));
      const chosen = options.find((o) => 'selected' in o) ?? options[0];
      if (chosen) fields[s.name] = chosen.value ?? chosen.text;
    }
    forms.push({ action: a.action ?? '', method: (a.method ?? 'get').toLowerCase(), fields, unchecked });
  }
  return forms;
}

export function pageForm(html: string, action: string | RegExp): PageForm {
  const form = pageForms(html).find((f) => (typeof action === 'string' ? f.action.startsWith(action) : action.test(f.action)));
  if (!form) throw new Error(`no form with action ${action} on the page`);
  return form;
}
