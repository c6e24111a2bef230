import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { forEachDialect } from '../helpers/context.ts';
import { Browser, buildTestApp } from '../helpers/http.ts';
import { findForm, submitMultipartForm } from '../helpers/form-controls.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';

const cover = () =>
  sharp({ create: { width: 1800, height: 900, channels: 3, background: '#1d6fa5' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'SecretCam' } })
    .toBuffer();

forEachDialect('http brand', (ctx) => {
  test('the organizer sets colour, cover and alt text through the rendered multipart form; the event page shows them, cached for good', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'brand-night' });
    const owner = await makeStaff(c, 'owner');
    const { browser } = await sessionBrowser(app, c, owner);
    const url = `/admin/events/${event.id}/brand`;
    const page = await browser.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /aria-current="page">Look/, 'its own tab');
    assert.match(page.body, /data-event=&quot;brand-night&quot; async/, "the embed snippet");
    let res = await submitMultipartForm(app, browser, findForm(page.body, url), { accentColour: '#ffdd00', alt_cover_en: 'Blue stage lights', alt_cover_de: 'Blaues Bühnenlicht' }, {
      cover: { data: await cover(), type: 'image/jpeg', filename: 'cover.jpg' },
    });
    assert.equal(res.statusCode, 303, res.body);
    const done = await browser.get(res.headers.location as string);
    assert.match(done.body, /The colour #ffdd00 is too light/);
    const used = /darkened to (#[0-9a-f]{6})/.exec(done.body)![1];

    const visitor = new Browser(app);
    const ev = await visitor.get('/e/brand-night?lang=de');
    assert.match(ev.body, new RegExp(`<link rel="stylesheet" href="/brand/accent/${used.slice(1)}.css">`));
    assert.match(ev.body, /<source type="image\/webp" srcset="\/media\/[0-9a-f]{64} 480w, \/media\/[0-9a-f]{64} 960w, \/media\/[0-9a-f]{64} 1600w"/);
    assert.match(ev.body, /alt="Blaues Bühnenlicht"/);
    assert.ok(!/style=/.test(ev.body), 'no inline style');
    const img = /<img src="(\/media\/[0-9a-f]{64})"/.exec(ev.body)![1];
    const media = await visitor.get(img);
    assert.equal(media.statusCode, 200);
    assert.equal(media.headers['content-type'], 'image/jpeg');
    assert.equal(media.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.ok(!media.rawPayload.includes(Buffer.from('SecretCam')));
    const again = await app.inject({ method: 'GET', url: img, headers: { 'if-none-match': media.headers.etag as string } });
    assert.equal(again.statusCode, 304);
    const draw = await visitor.get('/e/brand-night/draw');
    assert.match(draw.body, new RegExp(`<link rel="stylesheet" href="/brand/accent/${used.slice(1)}.css">`), 'the draw page wears the colour too');
    const css = await visitor.get(`/brand/accent/${used.slice(1)}.css`);
    assert.equal(css.body, `:root{--brand:${used};}\n`);
    assert.equal((await visitor.get('/brand/accent/zzz.css')).statusCode, 404);
    assert.equal((await visitor.get('/media/abc')).statusCode, 404);
  });

  test('a bad colour and a file that is no image re-render the form with the reasons, keeping what was typed', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({ slug: 'brand-bad' });
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'owner'));
    const url = `/admin/events/${event.id}/brand`;
    const page = await browser.get(url);
    const res = await submitMultipartForm(app, browser, findForm(page.body, url), { accentColour: 'tomato', embedOrigins: 'https://ok.example\nnot a site' }, {
      logo: { data: Buffer.from('%PDF-1.4 not an image'), type: 'application/pdf', filename: 'logo.pdf' },
    });
    assert.equal(res.statusCode, 422);
    assert.match(res.body, /class="error-summary"/);
    assert.match(res.body, /Please give a colour as #/);
    assert.match(res.body, /not a site/);
    assert.match(res.body, /This file is not an image we can read/);
    assert.match(res.body, /value="tomato"/);
  });

  test('link previews: Open Graph, Twitter card and schema.org Event per language; no time or venue before the reveal', async () => {
    const c = ctx();
    const app = await buildTestApp(c);
    const event = await c.makeEvent({
      slug: 'secret-venue',
      startsAt: '2026-12-24T19:00:00.000Z',
      venueName: 'Hidden Warehouse 7',
      venueAddress: '12 Quiet Street',
    });
    const ev = await new Browser(app).get('/e/secret-venue?lang=de');
    const body = ev.body;
    const meta = (p: string) => new RegExp(`<meta (?:property|name)="${p}" content="([^"]*)">`).exec(body)?.[1];
    assert.equal(meta('og:title'), event.content.de!.title);
    assert.equal(meta('og:locale'), 'de_DE');
    assert.equal(meta('og:locale:alternate'), 'en_US');
    assert.equal(meta('og:url'), 'http://admit.test/e/secret-venue?lang=de');
    assert.equal(meta('twitter:card'), 'summary');
    assert.match(body, /<link rel="alternate" hreflang="en" href="http:\/\/admit.test\/e\/secret-venue\?lang=en">/);
    const ld = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(body)![1]);
    assert.equal(ld['@type'], 'Event');
    assert.equal(ld.inLanguage, 'de');
    assert.equal(ld.name, event.content.de!.title);
    assert.equal(ld.eventAttendanceMode, 'https://schema.org/OfflineEventAttendanceMode');
    assert.equal(ld.startDate, undefined);
    assert.equal(ld.location, undefined);
    for (const secret of ['Hidden Warehouse', 'Quiet Street', '2026-12-24', '24. Dezember', '19:00', '20:00']) assert.ok(!body.includes(secret), `${secret} is not on the page`);
  });
});
