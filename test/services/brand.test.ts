import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { forEachDialect } from '../helpers/context.ts';
import { AppError } from '../../src/errors.ts';
import { findBrandImage, loadBrand, saveBrand } from '../../src/services/brand.ts';

const fieldsOf = (err: unknown) => (err instanceof AppError ? err.fields.map((f) => `${f.field}:${f.code}`) : []);

/** A JPEG with EXIF (camera, GPS-like comment) to prove metadata is stripped. */
async function photo(width = 2000, height = 1000): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c0392b' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'SecretCam', Copyright: 'Jane Doe, 52.52N 13.40E' } })
    .toBuffer();
}

forEachDialect('services brand', (ctx) => {
  test('an upload is re-encoded in three widths × WebP/JPEG, without metadata, stored in the database by content hash', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const input = await photo();
    assert.ok(input.includes(Buffer.from('SecretCam')));
    const { brand, accent } = await saveBrand(c.deps, 'owner', event.id, {
      accentColour: '#3b2dbf',
      cover: input,
      altText: { cover: { en: 'A red stage', de: 'Eine rote Bühne' } },
      embedOrigins: 'https://brand.example/events\nhttp://localhost:8080',
    });
    assert.equal(accent?.adjusted, false);
    assert.equal(brand.accentColour, '#3b2dbf');
    assert.deepEqual(brand.embedOrigins, ['https://brand.example', 'http://localhost:8080']);
    const r = brand.cover!.renditions;
    assert.deepEqual([...new Set(r.map((x) => x.width))], [480, 960, 1600]);
    assert.deepEqual([...new Set(r.map((x) => x.contentType))].sort(), ['image/jpeg', 'image/webp']);
    for (const x of r) {
      const stored = (await findBrandImage(c.db.db, x.hash))!;
      const bytes = Buffer.from(stored.data);
      assert.equal(stored.content_type, x.contentType);
      assert.ok(!bytes.includes(Buffer.from('SecretCam')) && !bytes.includes(Buffer.from('Jane Doe')), 'metadata stripped');
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.width, x.width);
      assert.equal(meta.exif, undefined);
    }
    const again = await loadBrand(c.db.db, event.id);
    assert.equal(again.altText.cover?.de, 'Eine rote Bühne');
  });

  test('a light accent colour is darkened with the reason; bad colours, files and origins are field errors', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const { brand, accent } = await saveBrand(c.deps, 'owner', event.id, { accentColour: '#ffdd00', altText: {}, embedOrigins: '' });
    assert.equal(accent?.adjusted, true);
    assert.notEqual(brand.accentColour, '#ffdd00');
    assert.ok(accent!.ratio >= 4.5 && accent!.requestedRatio < 4.5);
    await assert.rejects(
      saveBrand(c.deps, 'owner', event.id, {
        accentColour: 'red; background:url(x)',
        cover: Buffer.from('<html>not an image</html>'),
        altText: {},
        embedOrigins: "javascript:alert(1) https://ok.example 'unsafe-inline'",
      }),
      (err) => {
        const f = fieldsOf(err);
        return f.includes('accentColour:colour_invalid') && f.includes('cover:image_unreadable') && f.filter((x) => x === 'embedOrigins:origin_invalid').length === 2;
      },
    );
    // nothing changed by the refused save
    assert.equal((await loadBrand(c.db.db, event.id)).accentColour, brand.accentColour);
  });

  test('replacing an image removes the old renditions; a small logo is not enlarged', async () => {
    const c = ctx();
    const event = await c.makeEvent();
    const first = await saveBrand(c.deps, 'owner', event.id, { accentColour: '', cover: await photo(800, 400), logo: await photo(200, 200), altText: {}, embedOrigins: '' });
    assert.deepEqual([...new Set(first.brand.cover!.renditions.map((x) => x.width))], [480, 800]);
    assert.deepEqual([...new Set(first.brand.logo!.renditions.map((x) => x.width))], [160, 200]);
    assert.ok(first.brand.logo!.renditions.some((x) => x.contentType === 'image/png'));
    const second = await saveBrand(c.deps, 'owner', event.id, { accentColour: '', cover: await photo(1000, 500), removeLogo: true, altText: {}, embedOrigins: '' });
    assert.equal(second.brand.logo, null);
    const n = await c.db.db.selectFrom('brand_images').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', event.id).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), second.brand.cover!.renditions.length);
  });
});

forEachDialect('services demo brand', (ctx) => {
  test('the demo event is offered in every listed language, with its own cover (alt text in each) and colour', async () => {
    const c = ctx();
    const { seedDemoEvent } = await import('../../src/services/demo.ts');
    const { LOCALES } = await import('../../src/domain/locales.ts');
    const { eventLanguages } = await import('../../src/domain/event.ts');
    const { findEventBySlug } = await import('../../src/db/repositories/events.ts');
    assert.equal(await seedDemoEvent(c.deps), true);
    const event = (await findEventBySlug(c.db.db, 'launch-nyc'))!;
    assert.deepEqual([...eventLanguages(event)].sort(), [...LOCALES].sort());
    for (const q of event.questions) assert.deepEqual(Object.keys(q.label).sort(), [...LOCALES].sort());
    const brand = await loadBrand(c.db.db, event.id);
    assert.equal(brand.accentColour, '#0b6e6e');
    assert.deepEqual([...new Set(brand.cover!.renditions.map((r) => r.width))], [480, 960, 1600]);
    assert.deepEqual(Object.keys(brand.altText.cover ?? {}).sort(), [...LOCALES].sort());
  });
});
