import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { forEachDialect } from '../helpers/context.ts';
import { insertParty } from '../helpers/after-draw.ts';
import { qrCodesInPdf } from '../helpers/pdf.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { OutboxSender, smtpTransport } from '../../src/mail/sender.ts';
import { brandMailHtml, MAIL_ACCENT } from '../../src/mail/brand.ts';
import { saveBrand } from '../../src/services/brand.ts';
import { confirmApplication } from '../../src/services/confirmations.ts';
import { createMessage } from '../../src/services/messages.ts';
import { prepareOutgoingMail } from '../../src/services/prepare-mail.ts';
import { ticketPdf } from '../../src/services/ticket-pdf.ts';
import { ticketsForApplication } from '../../src/services/tickets.ts';
import { simpleParser } from 'mailparser';

const run = promisify(execFile);

/** The first page of a PDF as raw RGB pixels (pdftoppm at 72 dpi: one pixel per point). */
async function firstPagePixels(pdf: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'admit-brand-'));
  try {
    await writeFile(join(dir, 't.pdf'), pdf);
    await run('pdftoppm', ['-png', '-r', '72', '-f', '1', '-l', '1', join(dir, 't.pdf'), join(dir, 'page')]);
    const [file] = (await readdir(dir)).filter((f) => f.endsWith('.png'));
    const { data, info } = await sharp(join(dir, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const pixel = (img: { data: Buffer; width: number }, x: number, y: number) => {
  const i = (y * img.width + x) * 3;
  return `#${[img.data[i], img.data[i + 1], img.data[i + 2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
};
/** Pixels of the image's box (below the bar, above the title) that are the logo's red. */
const redPixels = (img: { data: Buffer; width: number; height: number }) => {
  let n = 0;
  for (let y = 28; y < 62; y++) for (let x = 0; x < img.width; x++) {
    const i = (y * img.width + x) * 3;
    if (img.data[i] > 200 && img.data[i + 1] < 60 && img.data[i + 2] < 60) n++;
  }
  return n;
};

test('brandMailHtml: a bar and the button in the accent; anything but #rrggbb is ignored', () => {
  const mail = `<html><body style="x">\n<p><a href="u" style="display:inline-block;background:${MAIL_ACCENT};color:#fff">Go</a></p></body></html>`;
  const branded = brandMailHtml(mail, '#0B6E4F');
  assert.match(branded, /<body style="x">\n<div style="height:6px;background:#0b6e4f;margin:0 0 1rem" aria-hidden="true"><\/div>/);
  assert.match(branded, /background:#0b6e4f;color:#fff">Go/);
  assert.ok(!branded.includes(MAIL_ACCENT));
  for (const bad of [null, '', 'red', '#0b6e4f"><script>', '#fff']) assert.equal(brandMailHtml(mail, bad), mail);
});

forEachDialect('the brand in mails and PDF tickets', (ctx) => {
  test('the HTML part of a message and of a template mail carries the event\'s colour; an unbranded event keeps Admit\'s', async () => {
    const c = ctx();
    const branded = await c.makeEvent({ capacity: 10 });
    const plain = await c.makeEvent({ capacity: 10 });
    const { brand } = await saveBrand(c.deps, 'owner', branded.id, { accentColour: '#0b6e4f', altText: {}, embedOrigins: '' });
    assert.equal(brand.accentColour, '#0b6e4f', 'dark enough to be kept as chosen');
    const a = await insertParty(c, branded, { status: 'offered', name: 'Ada', email: `ada-brand-${c.dialect}@example.com` });
    const b = await insertParty(c, plain, { status: 'offered', name: 'Bob', email: `bob-plain-${c.dialect}@example.com` });
    await confirmApplication(c.deps, a.id);
    await confirmApplication(c.deps, b.id);
    for (const e of [branded, plain]) {
      await createMessage(c.deps, 'owner', e.id, { segment: { audience: 'confirmed', countries: [], group: null, categories: [] }, content: { en: { subject: 'Parking', body: 'Gate B, {name}.' } }, sendAt: null });
    }
    const sink = await startSmtpSink();
    try {
      const sender = new OutboxSender({
        db: c.db.db,
        clock: c.clock,
        transport: smtpTransport(sink.url, 'Admit <no-reply@admit.test>'),
        instanceId: 'brand-test',
        prepare: prepareOutgoingMail(c.db.db, c.deps.config.secret, c.clock),
      });
      await sender.drain();
      await sender.stop();
      const mail = async (to: string, subject: RegExp) => {
        const m = sink.messages.find((x) => x.to.includes(to) && subject.test(x.subject));
        assert.ok(m, `${to}: ${subject}`);
        return simpleParser(m.raw);
      };
      const message = await mail(a.email, /Parking/);
      assert.match(String(message.html), /<div style="height:6px;background:#0b6e4f;margin:0 0 1rem" aria-hidden="true"><\/div>/);
      assert.match(message.text ?? '', /Gate B, Ada\./);
      const raw = sink.messages.find((x) => x.to.includes(a.email) && /Parking/.test(x.subject))!.raw.toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
      assert.match(raw, /^List-Unsubscribe: <http:\/\/admit\.test\/u\/[0-9a-z]{26}[A-Za-z0-9_-]{22}>\r?$/m, 'delivery headers kept');
      const confirmed = await mail(a.email, /confirmed/i);
      assert.match(String(confirmed.html), /background:#0b6e4f;color:#fff/, 'the button in the event\'s colour');
      assert.ok(!String(confirmed.html).includes(MAIL_ACCENT));
      assert.equal(confirmed.attachments.filter((x) => x.contentType === 'application/pdf').length, 1, 'the ticket still attached');

      const plainMessage = await mail(b.email, /Parking/);
      assert.doesNotMatch(String(plainMessage.html), /height:6px/);
      assert.match(String((await mail(b.email, /confirmed/i)).html), new RegExp(`background:${MAIL_ACCENT}`));
    } finally {
      await sink.close();
    }
  });

  test('the PDF ticket: the accent bar, the logo, still one page per person whose QR code decodes', async () => {
    const c = ctx();
    const event = await c.makeEvent({ capacity: 10 });
    const logo = await sharp({ create: { width: 400, height: 100, channels: 4, background: '#e00000' } }).png().toBuffer();
    await saveBrand(c.deps, 'owner', event.id, { accentColour: '#0b6e4f', logo, altText: {}, embedOrigins: '' });
    const p = await insertParty(c, event, { status: 'offered', name: 'Ada', guests: ['Charles Babbage', 'محمد عبد الله'] });
    await confirmApplication(c.deps, p.id);
    const tickets = await ticketsForApplication(c.db.db, c.deps.config.secret, p.id);
    const pdf = (await ticketPdf(c.db.db, c.deps.config.secret, { applicationId: p.id, locale: 'de' }, c.clock.now()))!;
    assert.deepEqual(await qrCodesInPdf(pdf), tickets.map((tk) => tk.token), 'one page each, every QR decodes');
    const page = await firstPagePixels(pdf);
    assert.equal(pixel(page, 5, 3), '#0b6e4f', 'the bar across the top');
    assert.ok(redPixels(page) > 1000, 'the logo printed above the name');

    // Without a brand: no bar, no image (white at the top).
    const plain = await c.makeEvent({ capacity: 10 });
    const q = await insertParty(c, plain, { status: 'offered', name: 'Bob' });
    await confirmApplication(c.deps, q.id);
    const plainPage = await firstPagePixels((await ticketPdf(c.db.db, c.deps.config.secret, { applicationId: q.id, locale: 'en' }, c.clock.now()))!);
    assert.equal(pixel(plainPage, 5, 3), '#ffffff');
    assert.equal(redPixels(plainPage), 0);
  });
});
