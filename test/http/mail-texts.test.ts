import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { findForm, submitForm } from '../helpers/form-controls.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';
import { autoMailSettings } from '../../src/services/auto-mails.ts';
import { findMailText, saveMailText } from '../../src/services/mail-texts.ts';
import { submitApplication } from '../../src/services/applications.ts';
import { applicationInput } from '../helpers/application-input.ts';
import { contentFor } from '../../src/domain/event.ts';
import { formFor, submit } from '../helpers/form-submit.ts';
import { seedVerifiedApplications } from '../services/draw-fixtures.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { revealEvent, saveRevealDetails } from '../../src/services/reveal.ts';

const unescape = (s: string) => s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
const textareaValue = (body: string, name: string) => unescape(body.match(new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`))![1]);

forEachDialect('mail texts pages', (ctx) => {
  test('the Mails tab: edit a text as the form holds it — refused without its link (typed text kept), preview, save, reset', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const app = await buildTestApp(c);
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'admin'));

    const home = await browser.get(`/admin/events/${event.id}`);
    assert.match(home.body, new RegExp(`href="/admin/events/${event.id}/mail-texts"`), 'a tab of the event');
    const list = await browser.get(`/admin/events/${event.id}/mail-texts`);
    assert.equal(list.statusCode, 200);
    const editUrl = `/admin/events/${event.id}/mail-texts/offer/de`;
    assert.ok(list.body.includes(`href="${editUrl}"`));

    const editor = await browser.get(editUrl);
    assert.equal(editor.statusCode, 200);
    assert.match(editor.body, /Eingebauter Text|Built-in text/);
    const form = findForm(editor.body, editUrl, 'body');
    const original = textareaValue(editor.body, 'body');
    assert.match(original, /\{link\}/);

    // Without {link}: refused, localized, and what was typed is still there.
    const typed = original.replace('{link}', '').replace(/^.*$/m, 'Hallo {name}, <Parken> am Tor B!');
    const refused = await submitForm(app, browser, form, { body: typed }, 'action=save');
    assert.equal(refused.statusCode, 422);
    assert.match(refused.body, /needs \{link\}/);
    assert.equal(textareaValue(refused.body, 'body'), typed);
    assert.equal(await findMailText(c.db.db, event.id, 'offer', 'de'), null, 'nothing stored');

    // Preview with the link back: example values, nothing saved yet.
    const fixed = `${typed}\n\n{link}`;
    const preview = await submitForm(app, browser, findForm(refused.body, editUrl, 'body'), { body: fixed }, 'action=preview');
    assert.equal(preview.statusCode, 200);
    assert.match(preview.body, /Hallo Alex Beispiel, &lt;Parken&gt; am Tor B!/);
    assert.equal(await findMailText(c.db.db, event.id, 'offer', 'de'), null);

    const saved = await submitForm(app, browser, findForm(preview.body, editUrl, 'body'), {}, 'action=save');
    assert.equal(saved.statusCode, 303);
    assert.equal((await findMailText(c.db.db, event.id, 'offer', 'de'))?.body, fixed.replace(/\r\n?/g, '\n').trim());
    const after = await browser.get(saved.headers.location as string);
    assert.match(after.body, /Own text|Eigener Text/);

    const reset = await submitForm(app, browser, findForm(after.body, `${editUrl}/reset`));
    assert.equal(reset.statusCode, 303);
    assert.equal(await findMailText(c.db.db, event.id, 'offer', 'de'), null);
    assert.equal(textareaValue((await browser.get(editUrl)).body, 'body'), original);
    assert.equal((await browser.get(`/admin/events/${event.id}/mail-texts/no.such.mail/de`)).statusCode, 404);
  });

  test('automatic mails: switched on and timed through the form; a wrong number is refused and kept', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const app = await buildTestApp(c);
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'owner'));
    const action = `/admin/events/${event.id}/mail-texts/automatic`;
    const page = await browser.get(`/admin/events/${event.id}/mail-texts`);
    const bad = await submitForm(app, browser, findForm(page.body, action), { reminder_enabled: true, reminder_hours: '0' });
    assert.equal(bad.statusCode, 422);
    assert.match(bad.body, /whole number of hours|ganze Zahl/);
    assert.match(bad.body, /name="reminder_hours" type="number" value="0"/);
    const ok = await submitForm(app, browser, findForm(bad.body, action), { reminder_enabled: true, reminder_hours: '36', thanks_enabled: true });
    assert.equal(ok.statusCode, 303);
    assert.deepEqual(await autoMailSettings(c.db.db, event.id), { reminder: { enabled: true, offsetHours: 36 }, thanks: { enabled: true, offsetHours: 12 } });
    const again = await browser.get(ok.headers.location as string);
    assert.match(again.body, /role="status"/);
    assert.match(again.body, /id="f-reminder_enabled" name="reminder_enabled" value="yes" checked/);
  });

  test('an event with its own text: the editor shows and previews it, and mass actions preview it instead of the built-in one', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const app = await buildTestApp(c);
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'admin'));
    const editUrl = `/admin/events/${event.id}/mail-texts/application.rejected/de`;
    const editor = await browser.get(editUrl);
    assert.doesNotMatch(editor.body, /class="mail-previews"/, 'the built-in text: nothing to preview yet');
    const own = { subject: 'Absage für {event}', body: 'Hallo {name},\n\nleider diesmal nicht — bis zum nächsten Mal am Tor B.' };
    const saved = await submitForm(app, browser, findForm(editor.body, editUrl, 'body'), own, 'action=save');
    assert.equal(saved.statusCode, 303);

    // The editor opens with the event's text and its preview (example values), reset still offered.
    const shown = await browser.get(editUrl);
    assert.equal(textareaValue(shown.body, 'body'), own.body);
    assert.match(shown.body, /name="subject" type="text" value="Absage für \{event\}"/);
    assert.match(shown.body, /<section class="mail-previews"[^]*leider diesmal nicht — bis zum nächsten Mal am Tor B\.[^]*<\/section>/);
    assert.match(shown.body, /Hallo Alex Beispiel,/);
    assert.ok(findForm(shown.body, `${editUrl}/reset`), 'reset to the built-in text');

    // A bulk rejection previews the German mail in the event's words, the English one built-in.
    const ids = await seedVerifiedApplications(c, event.id, 2, 'mt');
    const url = `/admin/events/${event.id}/applications`;
    const list = await browser.get(url);
    const confirmPage = await submit(app, browser, formFor(list.body, `${url}/bulk`).check('ids', ids[0]).check('ids', ids[1]).fill('decision', 'reject'));
    assert.equal(confirmPage.statusCode, 200);
    const german = confirmPage.body.match(/<div lang="de">([^]*?)<\/div>/)?.[1] ?? '';
    assert.match(german, /leider diesmal nicht/);
    assert.match(german, new RegExp(`Absage für ${contentFor(event, 'de').title}`));
    assert.match(confirmPage.body.match(/<div lang="en">([^]*?)<\/div>/)?.[1] ?? '', /Your application for /);

    // Reset: the built-in German text again, on the editor and in the preview.
    const reset = await submitForm(app, browser, findForm(shown.body, `${editUrl}/reset`));
    assert.equal(reset.statusCode, 303);
    const again = await submit(app, browser, formFor((await browser.get(url)).body, `${url}/bulk`).check('ids', ids[0]).check('ids', ids[1]).fill('decision', 'reject'));
    assert.doesNotMatch(again.body, /leider diesmal nicht/);
    assert.match(again.body.match(/<div lang="de">([^]*?)<\/div>/)?.[1] ?? '', /Ihre Bewerbung für /);
  });

  test('Sent mail (/admin/mail) shows a mail in the event\'s own words, as it was sent, links still hidden', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const admin = await makeStaff(c, 'admin');
    await saveMailText(c.deps, admin.id, event.id, 'application.verify', 'en', { subject: 'One click for {event}', body: 'Hi {name}, press here: {link} — see you at gate B.' });
    await submitApplication(c.deps, event.slug, applicationInput('own-words@example.com'));
    const app = await buildTestApp(c);
    const { browser } = await sessionBrowser(app, c, admin);
    const list = await browser.get('/admin/mail');
    const title = contentFor(event, 'en').title;
    const link = new RegExp(`<a href="(/admin/mail/[^"]+)">One click for ${title}</a>`).exec(list.body);
    assert.ok(link, 'the subject in the event\'s words');
    const one = await browser.get(link[1]);
    assert.match(one.body, /Hi Ada Lovelace, press here: .* — see you at gate B\./);
    assert.doesNotMatch(one.body, /\/a\/[A-Za-z0-9_.-]{20,}/, 'no capability link');
  });

  test('the reveal\'s confirmation previews the event\'s own reveal text, filled with the new details', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    await insertParty(c, event, { status: 'confirmed', name: 'Erika', locale: 'de' });
    await saveRevealDetails(c.deps, 'o', event.id, { startsAt: '2026-12-13T00:00:00.000Z', endsAt: null, venueName: 'Pier 17', venueAddress: null, venueMapUrl: null, revealAt: null });
    await revealEvent(c.deps, 'o', event.id);
    const app = await buildTestApp(c);
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'admin'));
    const editUrl = `/admin/events/${event.id}/mail-texts/event.reveal/de`;
    const editor = await browser.get(editUrl);
    const own = { subject: 'Neu: {event}', body: 'Hallo {name}, wir sehen uns am {when} in {where}. Eingang über den Hof.\n\n{link}' };
    assert.equal((await submitForm(app, browser, findForm(editor.body, editUrl, 'body'), own, 'action=save')).statusCode, 303);

    const url = `/admin/events/${event.id}/reveal`;
    const res = await submit(app, browser, formFor((await browser.get(url)).body, url).fill('venue_name', 'Halle 5'), { name: 'action', value: 'save' });
    assert.equal(res.statusCode, 200);
    const german = res.body.match(/<div lang="de">([^]*?)<\/div>/)?.[1] ?? '';
    assert.match(german, /Hallo [^,]+, wir sehen uns am [^<]+ in Halle 5\. Eingang über den Hof\./);
    assert.match(german, new RegExp(`Neu: ${contentFor(event, 'de').title}`));
    await app.close();
  });
});
