import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Parser } from 'htmlparser2';
import type { Browser } from './http.ts';

/**
 * "A page is tested as the browser posts it": parse the forms of a rendered page, fill what a person would fill,
 * and post exactly the fields the form holds — hidden fields, checked boxes, selected options, the clicked button.
 */
interface Control {
  tag: 'input' | 'select' | 'textarea' | 'button';
  type: string;
  name: string;
  value: string;
  checked: boolean;
  options?: { value: string; selected: boolean }[];
  text?: string;
}

export interface ParsedForm {
  action: string;
  method: string;
  controls: Control[];
}

export function parseForms(page: string): ParsedForm[] {
  const forms: ParsedForm[] = [];
  let form: ParsedForm | null = null;
  let select: Control | null = null;
  let option: { value: string | null; selected: boolean; text: string } | null = null;
  let textarea: Control | null = null;
  let button: Control | null = null;
  const parser = new Parser(
    {
      onopentag(tag, a) {
        if (tag === 'form') {
          form = { action: a.action ?? '', method: (a.method ?? 'get').toLowerCase(), controls: [] };
          forms.push(form);
        }
        if (!form) return;
        const f: ParsedForm = form;
        if (tag === 'input' && a.name !== undefined) {
          f.controls.push({ tag: 'input', type: (a.type ?? 'text').toLowerCase(), name: a.name, value: a.value ?? (a.type === 'checkbox' || a.type === 'radio' ? 'on' : ''), checked: 'checked' in a });
        } else if (tag === 'select' && a.name !== undefined) {
          select = { tag: 'select', type: 'select', name: a.name, value: '', checked: false, options: [] };
          f.controls.push(select);
        } else if (tag === 'option' && select) {
          option = { value: a.value ?? null, selected: 'selected' in a, text: '' };
        } else if (tag === 'textarea' && a.name !== undefined) {
          textarea = { tag: 'textarea', type: 'textarea', name: a.name, value: '', checked: false };
          f.controls.push(textarea);
        } else if (tag === 'button') {
          button = { tag: 'button', type: (a.type ?? 'submit').toLowerCase(), name: a.name ?? '', value: a.value ?? '', checked: false, text: '' };
          f.controls.push(button);
        }
      },
      ontext(text) {
        if (option) option.text += text;
        if (textarea) textarea.value += text;
        if (button) button.text += text;
      },
      onclosetag(tag) {
        if (tag === 'form') form = null;
        if (tag === 'option' && option && select) {
          const o = option as { value: string | null; selected: boolean; text: string };
          select.options!.push({ value: o.value ?? o.text.trim(), selected: o.selected });
          option = null;
        }
        if (tag === 'select') select = null;
        if (tag === 'textarea') {
          if (textarea) textarea.value = textarea.value.replace(/^\n/, '');
          textarea = null;
        }
        if (tag === 'button') button = null;
      },
    },
    { decodeEntities: true },
  );
  parser.write(page);
  parser.end();
  return forms;
}

/** The one form whose action matches. */
export function formFor(page: string, action: string | RegExp): FilledForm {
  const found = parseForms(page).filter((f) => (typeof action === 'string' ? f.action === action : action.test(f.action)));
  assert.equal(found.length, 1, `one form with action ${action}, found ${found.length}`);
  return new FilledForm(found[0]);
}

/** A parsed form being filled in: only controls the form has can be set. */
export class FilledForm {
  constructor(readonly form: ParsedForm) {}

  #control(name: string, pred: (c: Control) => boolean = () => true): Control {
    const c = this.form.controls.find((x) => x.name === name && pred(x));
    assert.ok(c, `form ${this.form.action} has no control ${name}`);
    return c;
  }

  /** Types into a text field, textarea or hidden-free input; chooses an option of a select. */
  fill(name: string, value: string): this {
    const c = this.#control(name, (x) => x.tag !== 'button' && x.type !== 'checkbox' && x.type !== 'radio');
    assert.notEqual(c.type, 'hidden', `${name} is hidden: a person cannot change it`);
    if (c.tag === 'select') {
      assert.ok(c.options!.some((o) => o.value === value), `select ${name} has no option ${value}`);
      for (const o of c.options!) o.selected = o.value === value;
    } else c.value = value;
    return this;
  }

  /** Ticks a checkbox or picks a radio button by its value. */
  check(name: string, value?: string, on = true): this {
    const c = this.#control(name, (x) => (x.type === 'checkbox' || x.type === 'radio') && (value === undefined || x.value === value));
    if (c.type === 'radio') for (const x of this.form.controls) if (x.name === name) x.checked = false;
    c.checked = on;
    return this;
  }

  uncheck(name: string, value?: string): this {
    return this.check(name, value, false);
  }

  /** Values of a control name as the form would send them now. */
  values(name: string): string[] {
    return this.entries().filter(([k]) => k === name).map(([, v]) => v);
  }

  /** What the browser sends, pressing the button with this name/value or text (or the first submit button). */
  entries(press?: { name?: string; value?: string; text?: RegExp }): [string, string][] {
    const out: [string, string][] = [];
    for (const c of this.form.controls) {
      if (c.tag === 'button') continue;
      if (c.type === 'checkbox' || c.type === 'radio') {
        if (c.checked) out.push([c.name, c.value]);
      } else if (c.tag === 'select') {
        const o = c.options!.find((x) => x.selected) ?? c.options![0];
        if (o) out.push([c.name, o.value]);
      } else if (c.type !== 'submit') out.push([c.name, c.value]);
    }
    if (press) {
      const b = this.form.controls.find(
        (c) => c.tag === 'button' && (press.name === undefined || c.name === press.name) && (press.value === undefined || c.value === press.value) && (!press.text || press.text.test(c.text ?? '')),
      );
      assert.ok(b, `form ${this.form.action} has no such button ${JSON.stringify({ ...press, text: press.text?.source })}`);
      if (b.name) out.push([b.name, b.value]);
    }
    return out;
  }
}

/** Posts the form as the browser would (urlencoded, repeated names kept) with the browser's cookies. */
export async function submit(app: FastifyInstance, browser: Browser, form: FilledForm, press?: { name?: string; value?: string; text?: RegExp }): Promise<LightMyRequestResponse> {
  assert.equal(form.form.method, 'post');
  const res = await app.inject({
    method: 'POST',
    url: form.form.action,
    headers: { cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(form.entries(press)).toString(),
  });
  for (const c of res.cookies as { name: string; value: string }[]) browser.cookies.set(c.name, c.value);
  return res;
}
