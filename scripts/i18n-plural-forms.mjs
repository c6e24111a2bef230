#!/usr/bin/env node
// Gives every plural message in every catalogue all six CLDR categories (zero, one, two, few, many, other), so all
// catalogues have one key set. A category the language never selects (Intl.PluralRules) repeats its "other" form;
// forms already written are kept. Keys come in one order everywhere: "_n", exact "=N" keys, then the categories.
// Usage: node scripts/i18n-plural-forms.mjs   (after adding a plural message or a language)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const DIR = new URL('../src/i18n/', import.meta.url);
const CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'];
const PLURAL_KEY = /^(zero|one|two|few|many|other|_n|=\d+)$/;
const isPlural = (v) => v && typeof v === 'object' && typeof v.other === 'string' && Object.keys(v).every((k) => PLURAL_KEY.test(k));

function complete(v) {
  const out = {};
  if (v._n !== undefined) out._n = v._n;
  for (const k of Object.keys(v).filter((k) => k.startsWith('='))) out[k] = v[k];
  for (const c of CATEGORIES) out[c] = v[c] ?? v.other;
  return out;
}
const walk = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, isPlural(v) ? complete(v) : v && typeof v === 'object' ? walk(v) : v]));

for (const f of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
  const file = new URL(f, DIR);
  const before = readFileSync(file, 'utf8');
  const after = JSON.stringify(walk(JSON.parse(before)), null, 2) + '\n';
  if (after !== before) writeFileSync(file, after);
}
