import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { forEachDialect } from '../helpers/context.ts';
import { Browser, buildTestApp, csrfFrom } from '../helpers/http.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';
import { LOCALES, type Locale } from '../../src/domain/locales.ts';
import { confirmOffer } from '../../src/services/confirmations.ts';
import type { EventContent } from '../../src/domain/event.ts';

/**
 * No English left over: the main pages rendered in every other listed language must not contain a sentence of the
 * English catalogue. A message whose translation is identical to the English one (a brand name, "OK", "Logo") is
 * skipped by itself; ALLOWED lists the few English fragments that may legitimately appear on a page.
 */
const ALLOWED = new Set<string>([]);

type Cat = Record<string, unknown>;
const load = (l: string): Cat => JSON.parse(readFileSync(`src/i18n/${l}.json`, 'utf8'));
const leaves = (o: Cat, p = ''): [string, string][] =>
  Object.entries(o).flatMap(([k, v]): [string, string][] =>
    v && typeof v === 'object' ? leaves(v as Cat, `${p}${k}.`) : k === '_n' ? [] : [[`${p}${k}`, String(v)]],
  );

/** The English "sentences": literal runs between placeholders with at least two words. */
function englishSentences(l: Locale): string[] {
  const own = new Map(leaves(load(l)));
  const out = new Set<string>();
  for (const [key, text] of leaves(load('en'))) {
    if (own.get(key) === text) continue; // identical in this language
    for (const part of text.split(/\{\w+\}/)) {
      const s = part.replace(/\s+/g, ' ').trim().replace(/^[\s:·,.;()“”"'–—-]+|[\s:·,.;()“”"'–—-]+$/g, '');
      if (s.includes(' ') && s.length >= 8 && !ALLOWED.has(s)) out.add(s);
    }
  }
  return [...out];
}

/** What a reader meets: text and the attributes read aloud or shown (alt, title, aria-label, placeholder, value of buttons). */
function readable(html: string): string {
  const attrs = [...html.matchAll(/\s(?:alt|title|aria-label|placeholder)="([^"]*)"/g)].map((m) => m[1]);
  const body = html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ');
  return [body, ...attrs]
    .join(' ')
    .replaceAll('&amp;', '&')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replace(/\s+/g, ' ');
}

const neutral = (l: string, n: number): EventContent => ({ title: `✦ ${l} ${n}`, description: `✦✦ ${l}`, consent: `✦✦✦ ${l}` });

forEachDialect('http translations', (ctx) => {
  test('event page, form errors, status page, ticket, door and admin home carry no English sentence in any other language', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const content = Object.fromEntries(LOCALES.map((l) => [l, neutral(l, 1)]));
    const event = await c.makeEvent({ slug: 'everywhere', content, questions: [], maxPartySize: 2 });
    const party = await insertParty(c, event, { status: 'offered', name: 'Dana Doe', guests: ['Sam Doe'] });
    await confirmOffer(c.deps, party.token);
    const { browser: owner } = await sessionBrowser(app, c, await makeStaff(c, 'owner'));
    // The detector works: the same pages in English are full of these sentences.
    const english = readable((await new Browser(app).get('/e/everywhere?lang=en')).body);
    assert.ok(englishSentences('de').filter((s) => english.includes(s)).length >= 5, 'English sentences are found on an English page');
    const problems: string[] = [];
    for (const l of LOCALES.filter((x) => x !== 'en')) {
      const sentences = englishSentences(l);
      const visitor = new Browser(app, { 'accept-language': 'en' });
      const pages: Record<string, string> = {};
      pages.event = (await visitor.get(`/e/everywhere?lang=${l}`)).body;
      const errors = await visitor.post(`/e/everywhere/apply?lang=${l}`, { _csrf: csrfFrom(pages.event), name: '', email: 'not-an-address', country: '', locale: l });
      assert.equal(errors.statusCode, 422);
      pages.form_errors = errors.body;
      pages.status = (await visitor.get(`/a/${party.token}?lang=${l}`)).body;
      pages.ticket = (await visitor.get(`/a/${party.token}/tickets?lang=${l}`)).body;
      pages.door = (await owner.get(`/checkin/${event.id}?lang=${l}`)).body;
      pages.admin = (await owner.get(`/admin?lang=${l}`)).body;
      for (const [name, html] of Object.entries(pages)) {
        assert.match(html, new RegExp(`<html lang="${l}"`), `${name} in ${l}`);
        const text = readable(html);
        for (const s of sentences) if (text.includes(s)) problems.push(`${l} ${name}: "${s}"`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
