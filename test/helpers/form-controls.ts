import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Browser } from './http.ts';

/**
 * "A page is tested as the browser posts it": read a rendered <form>, fill it like a person would, and post
 * exactly the fields a browser would send (successful controls only: unchecked boxes and disabled fields are
 * left out, a select sends its selected option, the clicked submit button adds its name=value). Filling a
 * field the form does not have, or choosing an option it does not offer, fails the test.
 * A deliberately small parser for our own escape-by-default markup (double-quoted attributes, no nested forms).
 */

export interface Control {
  tag: 'input' | 'select' | 'textarea' | 'button';
  type: string;
  name: string;
  value: string;
  checked: boolean;
  disabled: boolean;
  /** select: the options' values. */
  options: string[];
}

export interface ParsedForm {
  action: string;
  method: string;
  attrs: Record<string, string>;
  controls: Control[];
}

const unescape = (s: string) =>
  s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&#x27;', "'").replaceAll('&amp;', '&');

function attrsOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = tag.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const m of body.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) out[m[1].toLowerCase()] = unescape(m[2] ?? '');
  return out;
}

function controlsOf(inner: string): Control[] {
  const controls: Control[] = [];
  const re = /<(input|button)\b[^>]*>|<select\b[^>]*>[\s\S]*?<\/select>|<textarea\b[^>]*>[\s\S]*?<\/textarea>/g;
  for (const m of inner.matchAll(re)) {
    const src = m[0];
    const tag = src.slice(1, src.search(/[\s>]/)).toLowerCase() as Control['tag'];
    const open = src.match(/^<[^>]*>/)![0];
    const a = attrsOf(open);
    const base = { tag, name: a.name ?? '', checked: 'checked' in a, disabled: 'disabled' in a, options: [] as string[] };
    if (tag === 'select') {
      const opts = [...src.matchAll(/<option\b[^>]*>/g)].map((o) => attrsOf(o[0]));
      const selected = opts.find((o) => 'selected' in o) ?? opts[0];
      controls.push({ ...base, type: 'select', value: selected?.value ?? '', options: opts.map((o) => o.value ?? '') });
    } else if (tag === 'textarea') {
      controls.push({ ...base, type: 'textarea', value: unescape(src.slice(open.length, src.lastIndexOf('</textarea>'))) });
    } else {
      controls.push({ ...base, type: (a.type ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase(), value: a.value ?? (a.type === 'checkbox' || a.type === 'radio' ? 'on' : '') });
    }
  }
  return controls;
}

/** Every form of a page, in document order. */
export function parseForms(html: string): ParsedForm[] {
  return [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => {
    const open = m[0].match(/^<form\b[^>]*>/)![0];
    const attrs = attrsOf(open);
    return { action: attrs.action ?? '', method: (attrs.method ?? 'get').toLowerCase(), attrs, controls: controlsOf(m[0].slice(open.length)) };
  });
}

/** The one form whose action is `action` (and, when several share it, that holds a control named `having`). */
export function findForm(html: string, action: string, having?: string): ParsedForm {
  const forms = parseForms(html).filter((f) => f.action === action && (!having || f.controls.some((c) => c.name === having)));
  assert.equal(forms.length, 1, `exactly one form posting to ${action}${having ? ` with ${having}` : ''} (found ${forms.length})`);
  return forms[0];
}

/** Text, textarea, hidden, select: a value; checkbox: true/false, or the values to tick of a group; radio: the value. */
export type Fill = Record<string, string | boolean | string[]>;

/** The body a browser sends after a person filled `fill` and clicked the submit button `button` (name or name=value). */
export function formBody(form: ParsedForm, fill: Fill = {}, button?: string): URLSearchParams {
  const names = new Set(form.controls.map((c) => c.name));
  for (const k of Object.keys(fill)) assert.ok(names.has(k), `the form has a field named ${k}`);
  const body = new URLSearchParams();
  let clicked = false;
  for (const c of form.controls) {
    if (!c.name || c.disabled) continue;
    const f = fill[c.name];
    if (c.type === 'submit' || c.type === 'button' || c.type === 'reset' || c.type === 'image') {
      const [bn, bv] = (button ?? '').split('=');
      if (c.type === 'submit' && !clicked && button && c.name === bn && (bv === undefined || c.value === bv)) {
        body.append(c.name, c.value);
        clicked = true;
      }
      continue;
    }
    if (c.type === 'checkbox') {
      const on = f === undefined ? c.checked : Array.isArray(f) ? f.includes(c.value) : f === true || f === c.value;
      if (on) body.append(c.name, c.value);
    } else if (c.type === 'radio') {
      const on = f === undefined ? c.checked : f === c.value;
      if (on) body.append(c.name, c.value);
    } else if (c.type === 'select') {
      const v = f === undefined ? c.value : String(f);
      assert.ok(c.options.includes(v), `${c.name} offers the option ${v}`);
      body.append(c.name, v);
    } else {
      body.append(c.name, f === undefined ? c.value : String(f));
    }
  }
  if (button) assert.ok(clicked, `the form has a submit button ${button}`);
  if (Array.isArray(fill)) throw new Error('fill must be an object');
  return body;
}

/** Posts a form through the Browser's cookie jar, exactly as formBody says. */
export async function submitForm(app: FastifyInstance, browser: Browser, form: ParsedForm, fill: Fill = {}, button?: string): Promise<LightMyRequestResponse> {
  const body = formBody(form, fill, button);
  const res = await app.inject({
    method: form.method === 'post' ? 'POST' : 'GET',
    url: form.method === 'post' ? form.action : `${form.action}?${body}`,
    headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form.method === 'post' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    payload: form.method === 'post' ? body.toString() : undefined,
  });
  for (const c of res.cookies as { name: string; value: string }[]) browser.cookies.set(c.name, c.value);
  return res;
}

export interface UploadFile {
  data: Buffer;
  type: string;
  filename: string;
}

/**
 * Posts a multipart form (enctype="multipart/form-data") as a browser does: every successful control as formBody
 * says, and each file input as a file part (an empty one when no file was chosen).
 */
export async function submitMultipartForm(
  app: FastifyInstance,
  browser: Browser,
  form: ParsedForm,
  fill: Fill = {},
  files: Record<string, UploadFile> = {},
): Promise<LightMyRequestResponse> {
  assert.equal(form.attrs.enctype, 'multipart/form-data', 'the form uploads files');
  const fileInputs = form.controls.filter((c) => c.type === 'file').map((c) => c.name);
  for (const k of Object.keys(files)) assert.ok(fileInputs.includes(k), `the form has a file input named ${k}`);
  const data = new FormData();
  for (const [k, v] of formBody(form, fill)) if (!fileInputs.includes(k)) data.append(k, v);
  for (const name of fileInputs) {
    const f = files[name];
    data.append(name, new Blob(f ? [new Uint8Array(f.data)] : [], { type: f?.type ?? 'application/octet-stream' }), f?.filename ?? '');
  }
  const req = new Request('http://x/', { method: 'POST', body: data });
  const res = await app.inject({
    method: 'POST',
    url: form.action,
    headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': req.headers.get('content-type')! },
    payload: Buffer.from(await req.arrayBuffer()),
  });
  for (const c of res.cookies as { name: string; value: string }[]) browser.cookies.set(c.name, c.value);
  return res;
}
