#!/usr/bin/env node
// Runs node's built-in test runner over test/**/*.test.ts (Node 20 has no glob in --test).
// Extra arguments narrow the run: `npm test -- test/http` runs only files under test/http.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = find('test').filter((f) => !filters.length || filters.some((x) => f.startsWith(x.replace(/^\.\//, ''))));
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);
