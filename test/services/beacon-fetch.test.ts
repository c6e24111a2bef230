import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QUICKNET } from '../../src/domain/draw/index.ts';
import { httpBeaconFetcher } from '../../src/services/beacon-fetch.ts';
import { QUICKNET_ROUND_3 } from '../domain/draw/drand-fixtures.ts';

test('the relay fetcher asks each relay in turn for <chain>/public/<round> and never needs the network in tests', async () => {
  assert.equal(httpBeaconFetcher([]), null, 'no relays: offline');
  const asked: string[] = [];
  const fake = (async (url: string) => {
    asked.push(url);
    if (url.startsWith('https://down.example')) throw new Error('ECONNREFUSED');
    if (url.startsWith('https://wrong.example')) return new Response(JSON.stringify({ round: 4, signature: QUICKNET_ROUND_3.signature }));
    if (url.endsWith('/public/3')) return new Response(JSON.stringify({ ...QUICKNET_ROUND_3, randomness: undefined }));
    return new Response('not yet', { status: 425 });
  }) as typeof fetch;
  const get = httpBeaconFetcher(['https://down.example', 'https://wrong.example/', 'https://relay.example/'], { fetch: fake })!;
  assert.deepEqual(await get(QUICKNET, 3), QUICKNET_ROUND_3);
  assert.deepEqual(asked, [
    `https://down.example/${QUICKNET.hash}/public/3`,
    `https://wrong.example/${QUICKNET.hash}/public/3`,
    `https://relay.example/${QUICKNET.hash}/public/3`,
  ]);
  assert.equal(await get(QUICKNET, 99), null);
});
