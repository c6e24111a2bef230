/**
 * "A page is tested as the browser posts it": reads a rendered <form> and gives back exactly the fields a
 * browser would send (HTML's "constructing the entry list"): named, enabled controls; checkboxes and radios
 * only when checked; a select's selected option (else its first); a textarea's text. Our templates write
 * attributes in double quotes, which is all this reader understands.
 */
export interface ParsedForm {
  action: string;
  method: string;
  fields: Record<string, string>;
  /** Every control name in the form, sent or not (an unticked checkbox is here but not in fields). */
  controls: string[];
}

const unescape = (s: string) =>
  s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = tag.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const m of body.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) out[m[1].toLowerCase()] = unescape(m[2] ?? '');
  return out;
}

/** All forms of a page, in document order. */
export function parseForms(html: string): ParsedForm[] {
  return [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => parseOne(m[0]));
}

/** The form whose action matches (a string must equal the action's path, a RegExp must match the action). */
export function parseForm(html: string, action: string | RegExp): ParsedForm {
  const forms = parseForms(html);
  const found = forms.find((f) => (typeof action === 'string' ? f.action.split('?')[0] === action || f.action === action : action.test(f.action)));
  if (!found) throw new Error(`no form with action ${action}; forms: ${forms.map((f) => f.action).join(', ')}`);
  return found;
}

function parseOne(formHtml: string): ParsedForm {
  const open = attributes(formHtml.match(/^<form\b[^>]*>/)![0]);
  const fields: Record<string, string> = {};
  const controls: string[] = [];
  const re = /<input\b[^>]*>|<select\b[^>]*>[\s\S]*?<\/select>|<textarea\b[^>]*>[\s\S]*?<\/textarea>/g;
  for (const [el] of formHtml.matchAll(re)) {
    const tag = el.match(/^<\w+\b[^>]*>/)![0];
    const a = attributes(tag);
    if (!a.name) continue;
    controls.push(a.name);
    if ('disabled' in a) continue;
    if (el.startsWith('<input')) {
      const type = (a.type ?? 'text').toLowerCase();
      if (['submit', 'button', 'reset', 'image', 'file'].includes(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && !('checked' in a)) continue;
      fields[a.name] = a.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : '');
    } else if (el.startsWith('<select')) {
      const options = [...el.matchAll(/<option\b[^>]*>([\s\S]*?)<\/option>/g)].map((o) => {
        const oa = attributes(o[0].match(/^<option\b[^>]*>/)![0]);
        return { value: oa.value ?? unescape(o[1]), selected: 'selected' in oa };
      });
      const chosen = options.find((o) => o.selected) ?? options[0];
      if (chosen) fields[a.name] = chosen.value;
    } else {
      fields[a.name] = unescape(el.replace(/^<textarea\b[^>]*>/, '').replace(/<\/textarea>$/, '')).replace(/^\n/, '');
    }
  }
  return { action: unescape(open.action ?? ''), method: (open.method ?? 'get').toLowerCase(), fields, controls };
}
