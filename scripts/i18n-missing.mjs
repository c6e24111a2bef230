#!/usr/bin/env node
// Compares every catalogue in src/i18n/ with en.json: keys missing or extra, a different key order, placeholders
// ({name}) that differ, plural messages without the language's CLDR categories, and (as a warning) values left
// identical to English. Exit code 1 when anything but warnings is found.
// Usage: node scripts/i18n-missing.mjs [xx ...]        (default: every catalogue but en)
//        node scripts/i18n-missing.mjs --keys xx       (only the missing keys with their English text, as JSON)
import { readFileSync, readdirSync } from 'node:fs';

const dir = new URL('../src/i18n/', import.meta.url);
const load = (code) => JSON.parse(readFileSync(new URL(`${code}.json`, dir), 'utf8'));
const en = load('en');

const PLURAL_KEY = /^(zero|one|two|few|many|other|_n|=\d+)$/;
const isPlural = (v) =>
  !!v && typeof v === 'object' && typeof v.other === 'string' && Object.keys(v).every((k) => PLURAL_KEY.test(k));
const isObject = (v) => !!v && typeof v === 'object' && !Array.isArray(v);
const placeholders = (s) => [...new Set([...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort().join(',');
const union = (o) =>
  [...new Set(Object.entries(o).filter(([k]) => k !== '_n').flatMap(([, s]) => placeholders(s).split(',').filter(Boolean)))]
    .sort()
    .join(',');
const tags = (s) => [...String(s).matchAll(/<\/?(?:a|b|i|em|strong|br|code|kbd|bdi|span|abbr|p|ul|li)\b[^>]*>/g)].map((m) => m[0]).sort().join('');

/** Categories a plural message must have in a language; "many" is optional where it only covers huge numbers. */
function required(code) {
  const cats = new Intl.PluralRules(code).resolvedOptions().pluralCategories;
  const manyOptional = ['fr', 'es', 'it', 'pt', 'he'].includes(code);
  // Every catalogue carries all six categories (scripts/i18n-plural-forms.mjs: one key set for all); the ones a
  // language never selects repeat its "other".
  return { allowed: new Set(['zero', 'one', 'two', 'few', 'many', 'other']), needed: cats.filter((c) => !(manyOptional && c === 'many')) };
}

function compare(code, ref, cat, path, out) {
  const refKeys = Object.keys(ref);
  const catKeys = isObject(cat) ? Object.keys(cat) : [];
  for (const k of refKeys) {
    const p = [...path, k];
    const r = ref[k];
    const c = isObject(cat) ? cat[k] : undefined;
    if (c === undefined) {
      out.missing.push({ path: p, en: r });
      continue;
    }
    if (isPlural(r)) {
      if (!isPlural(c)) { out.errors.push(`${p.join(' › ')}: should be a plural message`); continue; }
      const { allowed, needed } = required(code);
      for (const n of needed) if (typeof c[n] !== 'string') out.errors.push(`${p.join(' › ')}: plural category "${n}" missing`);
      for (const k2 of Object.keys(c)) {
        if (k2 === '_n' || k2.startsWith('=')) continue;
        if (!allowed.has(k2)) out.errors.push(`${p.join(' › ')}: "${k2}" is not a plural category of ${code}`);
      }
      for (const k2 of Object.keys(r)) {
        if ((k2 === '_n' || k2.startsWith('=')) && c[k2] === undefined) out.errors.push(`${p.join(' › ')}: "${k2}" missing`);
      }
      if (r._n !== c._n) out.errors.push(`${p.join(' › ')}: "_n" must stay ${JSON.stringify(r._n)}`);
      if (union(r) !== union(c)) out.errors.push(`${p.join(' › ')}: placeholders {${union(c)}} ≠ English {${union(r)}}`);
      const otherMissing = placeholders(r.other).split(',').filter((x) => x && !placeholders(c.other).split(',').includes(x));
      if (otherMissing.length) out.errors.push(`${p.join(' › ')}: "other" lacks {${otherMissing.join('}, {')}}`);
      continue;
    }
    if (isObject(r)) {
      if (!isObject(c) || isPlural(c)) { out.errors.push(`${p.join(' › ')}: should be a namespace`); continue; }
      compare(code, r, c, p, out);
      continue;
    }
    if (typeof c !== 'string') { out.errors.push(`${p.join(' › ')}: should be a string`); continue; }
    if (placeholders(r) !== placeholders(c)) out.errors.push(`${p.join(' › ')}: placeholders {${placeholders(c)}} ≠ English {${placeholders(r)}}`);
    if (tags(r) !== tags(c)) out.errors.push(`${p.join(' › ')}: markup differs from English`);
    if (c === r && /[a-z]{3}/i.test(r) && path[0] !== 'language') out.same.push(p.join(' › '));
  }
  for (const k of catKeys) if (!(k in ref)) out.extra.push([...path, k].join(' › '));
  const common = refKeys.filter((k) => catKeys.includes(k));
  const order = catKeys.filter((k) => k in ref);
  if (common.join('\n') !== order.join('\n')) out.errors.push(`${path.join(' › ') || '(top)'}: keys not in the order of en.json`);
}

const args = process.argv.slice(2);
const keysOnly = args[0] === '--keys';
const codes = (keysOnly ? args.slice(1) : args).length
  ? (keysOnly ? args.slice(1) : args)
  : readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'en.json').map((f) => f.slice(0, -5)).sort();

let failed = false;
for (const code of codes) {
  const out = { missing: [], extra: [], errors: [], same: [] };
  compare(code, en, load(code), [], out);
  if (keysOnly) {
    const tree = {};
    for (const { path, en: v } of out.missing) {
      let node = tree;
      path.slice(0, -1).forEach((k) => (node = node[k] ??= {}));
      node[path.at(-1)] = v;
    }
    console.log(JSON.stringify({ [code]: tree }, null, 2));
    continue;
  }
  const bad = out.missing.length + out.extra.length + out.errors.length;
  if (bad) failed = true;
  console.log(`${code}: ${bad ? `${bad} problem(s)` : 'complete'}${out.same.length ? `, ${out.same.length} value(s) identical to English` : ''}`);
  for (const m of out.missing) console.log(`  missing  ${m.path.join(' › ')}`);
  for (const e of out.extra) console.log(`  extra    ${e}`);
  for (const e of out.errors) console.log(`  error    ${e}`);
  for (const s of out.same) console.log(`  same     ${s}`);
}
process.exit(failed ? 1 : 0);
