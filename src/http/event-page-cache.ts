import { randomBytes } from 'node:crypto';
import { brotliCompressSync, constants, crc32, deflateRawSync } from 'node:zlib';
import type { CompiledQuery } from 'kysely';
import SQLite from 'better-sqlite3';
import type { Database } from '../db/connect.ts';
import { findEventBySlug } from '../db/repositories/events.ts';
import type { Event, IntakeState } from '../domain/event.ts';
import { AppError } from '../errors.ts';
import { escapeHtml } from './views/html.ts';

/**
 * The public event page, rendered once per (event version, language, intake state) and reused (issue 12,
 * ADR 0012). Two parts of it differ per visitor — the CSRF token and the one-time form token — and the form puts
 * them last, so a rendering is kept as [prefix, slot, middle, slot, suffix]: a request stitches in its own two
 * tokens and sends a few hundred fresh bytes after a prefix that was built (and compressed) once.
 *
 * Compression without compressing per request: the prefix is kept as a flushed, byte-aligned DEFLATE stream and a
 * flushed Brotli stream. A gzip answer is that DEFLATE prefix + the tail deflated on its own (a DEFLATE stream
 * may be any sequence of blocks) + CRC-32 continued from the prefix's; a Brotli answer is the Brotli prefix + the
 * tail as one uncompressed meta-block + the last, empty meta-block (RFC 7932 §9.2). Both decode with any client.
 *
 * Freshness on every instance: each request reads the event's `version` (one indexed point query, compiled once),
 * which a trigger raises on every update of the row (migration 018). A new version renders afresh; no timer.
 * Requests arriving together share one read (see `coalesced`): a rush costs one query per query time, not one
 * per visitor, and no visitor sees a version older than the moment it arrived.
 */

export type Slot = 'csrf' | 'formToken';

/** Markers the renderer puts where the per-visitor values go: random per process, so no content can contain them. */
export const SLOT_MARKS: Record<Slot, string> = {
  csrf: `slot${randomBytes(12).toString('hex')}c`,
  formToken: `slot${randomBytes(12).toString('hex')}f`,
};

export interface CachedPage {
  /** Everything before the first slot. */
  prefix: Buffer;
  /** The slots in page order, each followed by the static bytes up to the next slot (or the end). */
  slots: { slot: Slot; after: Buffer }[];
  gzipPrefix: Buffer;
  gzipPrefixCrc: number;
  brotliPrefix: Buffer;
  scripts: string[];
  status: number;
}

export type Encoding = 'br' | 'gzip' | 'identity';

/** Splits a rendered page at the slot markers and compresses the part before the first one. */
export function cachePage(page: string, scripts: string[]): CachedPage {
  const pattern = new RegExp(`(${SLOT_MARKS.csrf}|${SLOT_MARKS.formToken})`);
  const pieces = page.split(pattern);
  const prefix = Buffer.from(pieces[0]);
  const slots: CachedPage['slots'] = [];
  for (let i = 1; i < pieces.length; i += 2) {
    slots.push({ slot: pieces[i] === SLOT_MARKS.csrf ? 'csrf' : 'formToken', after: Buffer.from(pieces[i + 1]) });
  }
  return {
    prefix,
    slots,
    // Z_SYNC_FLUSH: not final, ends on a byte boundary — more blocks may follow.
    gzipPrefix: deflateRawSync(prefix, { level: 9, finishFlush: constants.Z_SYNC_FLUSH }),
    gzipPrefixCrc: crc32(prefix),
    brotliPrefix: brotliCompressSync(prefix, {
      finishFlush: constants.BROTLI_OPERATION_FLUSH,
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: prefix.length },
    }),
    scripts,
    status: 200,
  };
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** Brotli: ISLAST=1, ISLASTEMPTY=1 — the end of the stream. */
const BROTLI_END = Buffer.from([0x03]);

/** One visitor's answer: the cached page with its own tokens, in the encoding it asked for. */
export function stitchPage(page: CachedPage, values: Record<Slot, string>, encoding: Encoding): Buffer {
  const tailParts: Buffer[] = [];
  for (const { slot, after } of page.slots) tailParts.push(Buffer.from(escapeHtml(values[slot])), after);
  const tail = Buffer.concat(tailParts);
  if (encoding === 'identity') return Buffer.concat([page.prefix, tail]);
  if (encoding === 'gzip') {
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(tail, page.gzipPrefixCrc), 0);
    trailer.writeUInt32LE((page.prefix.length + tail.length) >>> 0, 4);
    return Buffer.concat([GZIP_HEADER, page.gzipPrefix, deflateRawSync(tail, { level: 1 }), trailer]);
  }
  return Buffer.concat([page.brotliPrefix, ...uncompressedMetaBlocks(tail), BROTLI_END]);
}

/**
 * RFC 7932 §9.2: ISLAST=0 (1 bit), MNIBBLES=4 (2 bits, value 0), MLEN-1 (16 bits), ISUNCOMPRESSED=1 (1 bit), then
 * zero bits to the byte boundary and MLEN raw bytes. Bits are packed from the least significant one.
 */
function uncompressedMetaBlocks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65536) {
    const chunk = data.subarray(at, at + 65536);
    const bits = ((chunk.length - 1) << 3) | (1 << 19);
    out.push(Buffer.from([bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff]), chunk);
  }
  return out;
}

/** The client's preferred encoding among ours (Brotli, then gzip); q=0 refuses one. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  let br = false;
  let gzip = false;
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    if (name === 'br') br = true;
    else if (name === 'gzip' || name === 'x-gzip') gzip = true;
    else if (name === '*') br = gzip = true;
  }
  return br ? 'br' : gzip ? 'gzip' : 'identity';
}

interface EventEntry {
  version: number;
  event: Promise<Event>;
  pages: Map<string, Promise<CachedPage>>;
}

/**
 * Per-slug cache of renderings. `render` builds the page for a cache miss with SLOT_MARKS in place of the
 * per-visitor values. Concurrent misses share one render (a version bump during a rush renders once, not 100×).
 */
export function eventPageCache(database: Database) {
  // Compiled once: per request only the parameter changes (issue 12: no SQL compiled per request on hot paths).
  const template = database.db.selectFrom('events').select(['id', 'version', 'status']).where('slug', '=', '').compile();
  const versionQuery = (slug: string): CompiledQuery => ({ ...template, parameters: [slug] });
  type VersionRow = { id: string; version: number; status: string };
  // SQLite: a read-only connection of its own, with the statement prepared once. It is never inside a
  // transaction, so each read sees the last commit (WAL) — no waiting for Kysely's connection, which another
  // request may hold for a transaction (a tenth of the request's time went to that queue: ADR 0012).
  const file = database.sqlite?.name;
  const reader = file && file !== ':memory:' ? new SQLite(file, { readonly: true, fileMustExist: true }) : null;
  const statement = reader?.prepare(template.sql);
  const readVersion = statement
    ? async (slug: string) => statement.get(slug) as VersionRow | undefined
    : async (slug: string) => (await database.db.executeQuery<VersionRow>(versionQuery(slug))).rows[0];
  const entries = new Map<string, EventEntry>();
  const versions = new Map<string, () => Promise<VersionRow | undefined>>();
  const versionOf = (slug: string) => {
    let read = versions.get(slug);
    if (!read) {
      if (versions.size > 10_000) versions.clear(); // slugs nobody has: a scan must not grow this without bound
      read = coalesced(() => readVersion(slug));
      versions.set(slug, read);
    }
    return read();
  };

  async function current(slug: string): Promise<{ entry: EventEntry; version: number } | null> {
    const row = await versionOf(slug);
    if (!row || row.status === 'draft') {
      entries.delete(slug);
      return null;
    }
    let entry = entries.get(slug);
    if (!entry || entry.version !== Number(row.version)) {
      const event = findEventBySlug(database.db, slug).then((e) => {
        if (!e || e.status === 'draft') throw new AppError('event.not_found');
        return e;
      });
      event.catch(() => entries.delete(slug));
      entry = { version: Number(row.version), event, pages: new Map() };
      entries.set(slug, entry);
    }
    return { entry, version: entry.version };
  }

  return {
    close: () => reader?.close(),
    /** The event as the cached pages show it; throws event.not_found for unknown and draft events. */
    async event(slug: string): Promise<{ event: Event; page: (key: { locale: string; state: IntakeState }, render: (event: Event) => CachedPage | Promise<CachedPage>) => Promise<CachedPage> }> {
      const found = await current(slug);
      if (!found) throw new AppError('event.not_found');
      const { entry } = found;
      const event = await entry.event;
      return {
        event,
        page(key, render) {
          const k = `${key.locale}|${key.state}`;
          let page = entry.pages.get(k);
          if (!page) {
            page = Promise.resolve().then(() => render(event));
            page.catch(() => entry.pages.delete(k));
            entry.pages.set(k, page);
          }
          return page;
        },
      };
    },
  };
}

/**
 * Shares reads among concurrent callers without ever answering from before a caller arrived: a caller that finds
 * no read running starts one; a caller that finds one running (it may have started before a commit this caller
 * already saw) waits for the NEXT read, which starts when the running one ends and is shared by everyone who
 * arrived meanwhile. At most two reads per key are in the air, whatever the number of visitors.
 */
export function coalesced<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const p = read().finally(() => {
      if (running === p) running = null;
    });
    running = p;
    return p;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}
