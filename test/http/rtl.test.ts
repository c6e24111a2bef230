import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { forEachDialect } from '../helpers/context.ts';
import { Browser, buildTestApp } from '../helpers/http.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { confirmOffer } from '../../src/services/confirmations.ts';

test('app.css uses logical properties only: no left/right margins, paddings, borders, floats, positions, widths or heights', () => {
  const css = readFileSync('src/http/assets/app.css', 'utf8');
  // Declarations only: @media conditions (min-width: 40rem) are about the viewport, not the writing direction.
  const declarations = css.replace(/@media[^{]*\{/g, '{').replace(/\/\*[\s\S]*?\*\//g, '');
  const physical = [...declarations.matchAll(/(?<![-\w])((?:margin|padding|border|inset)-(?:left|right)[\w-]*|left|right|float|clear|(?:min-|max-)?(?:width|height))\s*:|text-align:\s*(?:left|right)/g)].map((m) => m[0]);
  assert.deepEqual(physical, []);
});

forEachDialect('http rtl', (ctx) => {
  test('Arabic and Hebrew pages are right-to-left; codes and addresses are isolated left-to-right', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'rtl-event' });
    const party = await insertParty(c, event, { status: 'offered', email: 'dana@example.com' });
    await confirmOffer(c.deps, party.token);
    const b = new Browser(app);
    for (const l of ['ar', 'he']) {
      const page = await b.get(`/e/rtl-event?lang=${l}`);
      assert.match(page.body, new RegExp(`<html lang="${l}" dir="rtl">`));
      assert.match(page.body, /<input id="f-email" name="email" type="email"[^>]* dir="ltr"/);
      const status = await b.get(`/a/${party.token}?lang=${l}`);
      assert.match(status.body, /<bdi dir="ltr">dana@example.com<\/bdi>/);
      const tickets = await b.get(`/a/${party.token}/tickets?lang=${l}`);
      assert.match(tickets.body, new RegExp(`<html lang="${l}" dir="rtl">`));
      assert.match(tickets.body, /<strong class="door-code-value" dir="ltr">/);
      // The long code is printed only for a ticket without a door code (ADR 0015); the door code is isolated above.
    }
    assert.match((await b.get('/e/rtl-event?lang=fr')).body, /<html lang="fr" dir="ltr">/);
  });
});
