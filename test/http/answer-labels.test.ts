import { test } from 'node:test';
import assert from 'node:assert/strict';
import { submitApplication } from '../../src/services/applications.ts';
import { forEachDialect } from '../helpers/context.ts';
import { buildTestApp } from '../helpers/http.ts';
import { makeStaff, sessionBrowser } from '../helpers/staff.ts';

/**
 * Answers read as words, never option ids: the organizer's detail page and the CSV showed "fri,sat" for a
 * multiple-choice answer (found by the organizer journey's screenshots); dates and numbers in the reader's language.
 */
forEachDialect('answers as people read them', (ctx) => {
  test('multiple choice, number and date on the detail page (en, de) and in the CSV', async () => {
    const c = ctx();
    const event = await c.makeEvent({
      slug: 'answer-labels',
      questions: [
        { id: 'nights', type: 'multiple_choice', required: true, label: { en: 'Which nights?', de: 'Welche Nächte?' }, options: [
          { id: 'fri', label: { en: 'Friday', de: 'Freitag' } },
          { id: 'sat', label: { en: 'Saturday', de: 'Samstag' } },
        ] },
        { id: 'lanterns', type: 'number', required: true, label: { en: 'How many lanterns?' } },
        { id: 'arrival', type: 'date', required: false, label: { en: 'Arrival' } },
      ],
    });
    const a = await submitApplication(c.deps, event.slug, { name: 'Ada Lovelace', email: 'ada@example.com', country: 'GB', locale: 'en', consent: true, answers: { nights: 'fri,sat', lanterns: '2.5', arrival: '2026-12-04' }, guests: [] });
    const app = await buildTestApp(c);
    const { browser } = await sessionBrowser(app, c, await makeStaff(c, 'owner'));
    const en = await browser.get(`/admin/applications/${a.id}?lang=en`);
    assert.match(en.body, /<dd>Friday and Saturday<\/dd>/);
    assert.match(en.body, /<dd>2\.5<\/dd>/);
    assert.match(en.body, /<dd>[^<]*December 4, 2026<\/dd>/);
    assert.doesNotMatch(en.body, /fri,sat/);
    const de = await browser.get(`/admin/applications/${a.id}?lang=de`);
    assert.match(de.body, /<dd>Freitag und Samstag<\/dd>/);
    assert.match(de.body, /<dd>2,5<\/dd>/);
    const csv = await browser.get(`/admin/events/${event.id}/applications.csv?lang=en`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /"Friday and Saturday"/);
    assert.doesNotMatch(csv.body, /fri,sat/);
    await app.close();
  });
});
