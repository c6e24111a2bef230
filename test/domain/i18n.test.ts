import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES, textDirection } from '../../src/domain/locales.ts';
import { hasKey, t } from '../../src/i18n/index.ts';

const isPlural = (v: unknown): boolean =>
  !!v && typeof v === 'object' && typeof (v as { other?: unknown }).other === 'string' && Object.keys(v).every((k) => /^(zero|one|two|few|many|other|_n|=\d+)$/.test(k));
/** Keys down to messages; a plural message (an object with "other") is one message. */
const flat = (o: Record<string, unknown>, p = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !isPlural(v) ? flat(v as Record<string, unknown>, `${p}${k}.`) : [`${p}${k}`]));
const plurals = (o: Record<string, unknown>, p = ''): [string, Record<string, string>][] =>
  Object.entries(o).flatMap(([k, v]) =>
    isPlural(v) ? [[`${p}${k}`, v as Record<string, string>]] : v && typeof v === 'object' ? plurals(v as Record<string, unknown>, `${p}${k}.`) : [],
  );

test('every catalogue has the same key set', () => {
  const sets = LOCALES.map((l) => new Set(flat(JSON.parse(readFileSync(`src/i18n/${l}.json`, 'utf8')))));
  for (let i = 1; i < sets.length; i++) {
    const missing = [...sets[0]].filter((k) => !sets[i].has(k));
    const extra = [...sets[i]].filter((k) => !sets[0].has(k));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `catalogue ${LOCALES[i]}`);
  }
});

test('every catalogue has the same leaf keys, plural forms included (scripts/i18n-plural-forms.mjs fills them)', () => {
  const leaves = (o: Record<string, unknown>, p = ''): string[] =>
    Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? leaves(v as Record<string, unknown>, `${p}${k}.`) : [`${p}${k}`]));
  const sets = LOCALES.map((l) => new Set(leaves(JSON.parse(readFileSync(`src/i18n/${l}.json`, 'utf8')))));
  const union = new Set(sets.flatMap((s) => [...s]));
  for (const [i, s] of sets.entries()) assert.deepEqual([...union].filter((k) => !s.has(k)), [], `catalogue ${LOCALES[i]} lacks`);
});

/** Messages down to their text; a plural message contributes each of its forms. */
const messages = (o: Record<string, unknown>, p = ''): [string, string][] =>
  Object.entries(o).flatMap(([k, v]): [string, string][] =>
    isPlural(v)
      ? Object.entries(v as Record<string, string>).filter(([f]) => f !== '_n').map(([f, text]) => [`${p}${k}`, text] as [string, string])
      : v && typeof v === 'object'
        ? messages(v as Record<string, unknown>, `${p}${k}.`)
        : [[`${p}${k}`, String(v)]],
  );
const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));

test('every message uses exactly the placeholders of its English original (none lost, none invented)', () => {
  const english = new Map<string, Set<string>>();
  for (const [key, text] of messages(JSON.parse(readFileSync('src/i18n/en.json', 'utf8')))) {
    english.set(key, new Set([...(english.get(key) ?? []), ...placeholders(text)]));
  }
  const problems: string[] = [];
  for (const l of LOCALES.filter((x) => x !== 'en')) {
    const byKey = new Map<string, Set<string>>();
    for (const [key, text] of messages(JSON.parse(readFileSync(`src/i18n/${l}.json`, 'utf8')))) {
      const own = placeholders(text);
      for (const p of own) if (!english.get(key)?.has(p)) problems.push(`${l} ${key}: {${p}} is not in English`);
      byKey.set(key, new Set([...(byKey.get(key) ?? []), ...own]));
    }
    for (const [key, set] of byKey) {
      // A plural form may leave the count out ("one friend"); every other placeholder must be used somewhere.
      for (const p of english.get(key) ?? []) if (!set.has(p) && p !== 'n' && p !== 'count') problems.push(`${l} ${key}: {${p}} is missing`);
    }
  }
  assert.deepEqual(problems, []);
});

test('every listed language has a catalogue, a name and a plural rule; right-to-left ones are marked', () => {
  for (const l of LOCALES) {
    assert.ok(new Intl.PluralRules(l).resolvedOptions().locale.startsWith(l), `${l}: plural rules`);
    assert.notEqual(new Intl.DisplayNames([l], { type: 'language' }).of(l), l, `${l}: has a name of its own`);
    const rtl = new Intl.Locale(l).maximize().script === 'Arab' || new Intl.Locale(l).maximize().script === 'Hebr';
    assert.equal(textDirection(l), rtl ? 'rtl' : 'ltr', `${l}: direction`);
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

test('plural messages have every form the language needs, and pick it by the count', () => {
  for (const l of LOCALES) {
    const needed = new Intl.PluralRules(l).resolvedOptions().pluralCategories;
    for (const [key, forms] of plurals(JSON.parse(readFileSync(`src/i18n/${l}.json`, 'utf8')))) {
      for (const c of needed) assert.equal(typeof forms[c], 'string', `${l}: ${key} lacks the "${c}" form`);
    }
  }
  assert.equal(t('en', 'admin.apps.people', { n: 1 }), '1 person');
  assert.equal(t('en', 'admin.apps.people', { n: 1234 }), '1,234 people', 'numbers formatted for the language');
  assert.equal(t('de', 'admin.apps.people', { n: 1234 }), '1.234 Personen');
  assert.equal(t('de', 'offer.confirmed_intro', { seats: 1 }), 'Ihr Platz ist für 1 Person bestätigt.', 'counted by the parameter named in _n');
  assert.equal(t('en', 'offer.confirmed_intro', { seats: 3 }), 'Your place is confirmed for 3 people.');
  assert.equal(t('en', 'event.party_up_to', { n: 1 }), 'You and one friend or family member');
  // a namespace with a key "other" is still a namespace
  const relation = JSON.parse(readFileSync('src/i18n/en.json', 'utf8')).relation;
  assert.equal(typeof relation.other, 'string');
  assert.equal(t('en', 'relation.other'), relation.other);
  assert.equal(t('en', 'relation.family'), relation.family);
});

test('placeholders are filled', () => {
  assert.equal(t('de', 'form.guest_n', { n: 2 }), 'Gast 2');
  assert.equal(t('en', 'errors.field.too_long', { max: 5 }), 'Please use at most 5 characters.');
});
