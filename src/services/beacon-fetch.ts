import { parseBeacon, type Beacon, type DrandChain } from '../domain/draw/index.ts';

/** Gets a round of a drand chain, or null when it is not available (not produced yet, no network). */
export type BeaconFetcher = (chain: DrandChain, round: number) => Promise<Beacon | null>;

/**
 * Reads rounds from drand HTTP relays (ADMIT_DRAND_URLS), trying each in turn: GET <relay>/<chain hash>/public/<round>.
 * A relay is only a messenger — the draw verifies every signature against the public key shipped in the code, so a
 * wrong or hostile relay can delay a draw but never change it.
 */
export function httpBeaconFetcher(relays: readonly string[], opts: { timeoutMs?: number; fetch?: typeof fetch } = {}): BeaconFetcher | null {
  if (!relays.length) return null;
  const get = opts.fetch ?? fetch;
  return async (chain, round) => {
    for (const relay of relays) {
      try {
        const res = await get(`${relay.replace(/\/$/, '')}/${chain.hash}/public/${round}`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
        if (!res.ok) continue;
        const beacon = parseBeacon(await res.json());
        if (beacon.round === round) return beacon;
      } catch {
        // Next relay; the draw job runs again on its next tick.
      }
    }
    return null;
  };
}
