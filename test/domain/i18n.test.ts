import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES } from '../../src/domain/locales.ts';
import { hasKey, t } from '../../src/i18n/index.ts';

const flat = (o: Record<string, unknown>, p = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? flat(v as Record<string, unknown>, `${p}${k}.`) : [`${p}${k}`]));

test('every catalogue has the same key set', () => {
  const sets = LOCALES.map((l) => new Set(flat(JSON.parse(readFileSync(`src/i18n/${l}.json`, 'utf8')))));
  for (let i = 1; i < sets.length; i++) {
    const missing = [...sets[0]].filter((k) => !sets[i].has(k));
    const extra = [...sets[i]].filter((k) => !sets[0].has(k));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `catalogue ${LOCALES[i]}`);
  }
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every literal key used in the code exists in every catalogue', () => {
  const used = new Set<string>();
  for (const file of sources('src')) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*(?:[a-z]+,\s*)?'([a-z_]+(?:\.[a-z_]+)+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50, `found ${used.size} keys`);
  for (const l of LOCALES) {
    const missing = [...used].filter((k) => !hasKey(l, k));
    assert.deepEqual(missing, [], `missing in ${l}`);
  }
});

test('placeholders are filled', () => {
  assert.equal(t('de', 'form.guest_n', { n: 2 }), 'Gast 2');
  assert.equal(t('en', 'errors.field.too_long', { max: 5 }), 'Please use at most 5 characters.');
});
