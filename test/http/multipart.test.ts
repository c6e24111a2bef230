import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryOf, MultipartError, parseMultipart } from '../../src/http/multipart.ts';

test('multipart bodies as browsers send them: fields, repeated fields, files (bytes intact), empty file inputs', async () => {
  const form = new FormData();
  form.append('_csrf', 'tok');
  form.append('languages', 'en');
  form.append('languages', 'de');
  form.append('alt', 'Bühne ünd ✓');
  const bytes = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255]);
  form.append('cover', new Blob([bytes], { type: 'image/png' }), 'a.png');
  form.append('logo', new Blob([], { type: 'application/octet-stream' }), '');
  const req = new Request('http://x', { method: 'POST', body: form });
  const body = Buffer.from(await req.arrayBuffer());
  const b = boundaryOf(req.headers.get('content-type')!);
  assert.ok(b);
  const parsed = parseMultipart(body, b!);
  assert.equal(parsed.fields._csrf, 'tok');
  assert.deepEqual(parsed.lists.languages, ['en', 'de']);
  assert.equal(parsed.fields.alt, 'Bühne ünd ✓');
  assert.deepEqual(parsed.files.cover.data, bytes);
  assert.equal(parsed.files.cover.contentType, 'image/png');
  assert.equal(parsed.files.logo, undefined);
});

test('malformed or oversized multipart bodies are refused', () => {
  assert.throws(() => parseMultipart(Buffer.from('garbage'), 'xyz'), MultipartError);
  assert.throws(() => parseMultipart(Buffer.from('--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'), 'xyz'), MultipartError);
  const many = Array.from({ length: 5 }, (_, i) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`).join('') + '--b--\r\n';
  assert.equal(Object.keys(parseMultipart(Buffer.from(many), 'b').fields).length, 5);
  assert.throws(() => parseMultipart(Buffer.from(many), 'b', 3), MultipartError);
});
