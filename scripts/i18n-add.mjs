#!/usr/bin/env node
// Merges message keys into the catalogues in one quick read-modify-write (several people edit them at once).
// Usage: node scripts/i18n-add.mjs patch.json   where patch.json is { "en": {…nested…}, "de": {…nested…} }
import { readFileSync, writeFileSync } from 'node:fs';

const patch = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const merge = (a, b) => {
  for (const [k, v] of Object.entries(b)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) a[k] = merge(a[k] && typeof a[k] === 'object' ? a[k] : {}, v);
    else a[k] = v;
  }
  return a;
};
for (const [locale, keys] of Object.entries(patch)) {
  const file = new URL(`../src/i18n/${locale}.json`, import.meta.url);
  const cat = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify(merge(cat, keys), null, 2) + '\n');
}
