import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import { testConfig, type TestContext } from './context.ts';

export async function buildTestApp(ctx: TestContext, over: Partial<Config> = {}): Promise<FastifyInstance> {
  return buildApp({ config: testConfig(ctx.db.dataDir, over), database: ctx.db, clock: ctx.clock, random: ctx.deps.random });
}

/** A tiny cookie jar over app.inject, so form tests read like a browser session. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(private app: FastifyInstance, private headers: Record<string, string> = {}) {}

  #store(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string }[]) this.cookies.set(c.name, c.value);
  }
  #cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    const res = await this.app.inject({ method: 'GET', url, headers: { ...this.headers, cookie: this.#cookieHeader() } });
    this.#store(res);
    return res;
  }

  async post(url: string, form: Record<string, string>) {
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { ...this.headers, cookie: this.#cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });
    this.#store(res);
    return res;
  }
}

export const csrfFrom = (html: string): string => {
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  if (!m) throw new Error('no CSRF token in page');
  return m[1];
};

/** The value of a form field as rendered (inputs and textareas), HTML-unescaped enough for tests. */
export function fieldValue(html: string, name: string): string | null {
  const input = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`));
  if (input) return input[1].replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'");
  const ta = html.match(new RegExp(`<textarea[^>]*name="${name}"[^>]*>([^<]*)</textarea>`));
  return ta ? ta[1] : null;
}
