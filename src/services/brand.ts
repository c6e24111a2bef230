import type { Queryable } from '../db/connect.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import { AppError, type FieldError } from '../errors.ts';
import { type AccentCheck, checkAccentColour, parseHexColour } from '../domain/colour.ts';
import type { Localized } from '../domain/event.ts';
import { newId } from '../platform/random.ts';
import { type ImageKind, renderImageSet } from './brand-images.ts';
import type { Deps } from './deps.ts';

/** An event's look (ADR 0016). Every field is optional: without one the page keeps Admit's own look. */
export interface Brand {
  eventId: string;
  accentColour: string | null;
  cover: BrandImage | null;
  logo: BrandImage | null;
  altText: { cover?: Localized; logo?: Localized };
  /** Origins ("https://brand.example") allowed to frame the embedded form. */
  embedOrigins: string[];
}

export interface BrandImage {
  setId: string;
  renditions: { hash: string; width: number; height: number; contentType: string }[];
}

export const emptyBrand = (eventId: string): Brand => ({ eventId, accentColour: null, cover: null, logo: null, altText: {}, embedOrigins: [] });

async function imageSet(db: Queryable, setId: string | null): Promise<BrandImage | null> {
  if (!setId) return null;
  const rows = await db
    .selectFrom('brand_images')
    .select(['hash', 'width', 'height', 'content_type'])
    .where('set_id', '=', setId)
    .orderBy('width')
    .orderBy('content_type')
    .execute();
  if (!rows.length) return null;
  return { setId, renditions: rows.map((r) => ({ hash: r.hash, width: r.width, height: r.height, contentType: r.content_type })) };
}

export async function loadBrand(db: Queryable, eventId: string): Promise<Brand> {
  const row = await db.selectFrom('event_brands').selectAll().where('event_id', '=', eventId).executeTakeFirst();
  if (!row) return emptyBrand(eventId);
  return {
    eventId,
    accentColour: row.accent_color,
    cover: await imageSet(db, row.cover_set),
    logo: await imageSet(db, row.logo_set),
    altText: JSON.parse(row.alt_text),
    embedOrigins: JSON.parse(row.embed_origins),
  };
}

/** One stored rendition, by the hash of its bytes (the URL names it, so it never changes). */
export async function findBrandImage(db: Queryable, hash: string) {
  return db.selectFrom('brand_images').select(['content_type', 'data']).where('hash', '=', hash).limit(1).executeTakeFirst();
}

/**
 * A site allowed to embed the form: an http(s) origin, nothing else (it goes into a CSP header, so no spaces,
 * quotes, semicolons or wildcards). "https://brand.example/page" is reduced to its origin.
 */
export function parseOrigin(input: string): string | null {
  let u: URL;
  try {
    u = new URL(input.trim());
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (u.username || u.password) return null;
  return u.origin;
}

export interface BrandInput {
  accentColour: string;
  cover?: Buffer | null;
  logo?: Buffer | null;
  removeCover?: boolean;
  removeLogo?: boolean;
  altText: { cover?: Localized; logo?: Localized };
  embedOrigins: string;
}

export interface SavedBrand {
  brand: Brand;
  /** Set when an accent colour was given: whether it was kept or darkened, and the ratios. */
  accent: AccentCheck | null;
}

/**
 * Saves the brand's look. The colour is adjusted (not refused) when too light; images are re-encoded first, outside
 * the transaction (sharp takes a while), then the renditions and the row are written together with an audit entry.
 */
export async function saveBrand(deps: Deps, actorId: string, eventId: string, input: BrandInput): Promise<SavedBrand> {
  const errors: FieldError[] = [];
  let accent: AccentCheck | null = null;
  if (input.accentColour.trim()) {
    const hex = parseHexColour(input.accentColour);
    if (!hex) errors.push({ field: 'accentColour', code: 'colour_invalid' });
    else accent = checkAccentColour(hex);
  }
  const origins: string[] = [];
  for (const line of input.embedOrigins.split(/[\s,]+/).filter(Boolean)) {
    const o = parseOrigin(line);
    if (!o) errors.push({ field: 'embedOrigins', code: 'origin_invalid', params: { value: line.slice(0, 100) } });
    else if (!origins.includes(o)) origins.push(o);
  }
  if (origins.length > 20) errors.push({ field: 'embedOrigins', code: 'too_many', params: { max: 20 } });
  const sets: Partial<Record<ImageKind, Awaited<ReturnType<typeof renderImageSet>>>> = {};
  for (const kind of ['cover', 'logo'] as const) {
    const file = input[kind];
    if (file && file.length) {
      sets[kind] = await renderImageSet(file, kind, kind, eventId);
      const r = sets[kind]!;
      if (!r.ok) errors.push(r.error);
    }
  }
  for (const kind of ['cover', 'logo'] as const) {
    for (const [l, text] of Object.entries(input.altText[kind] ?? {})) {
      if ((text ?? '').length > 300) errors.push({ field: `alt_${kind}_${l}`, code: 'too_long', params: { max: 300 } });
    }
  }
  if (errors.length) throw new AppError('validation.failed', { fields: errors });
  const now = deps.clock.now();
  const at = now.toISOString();
  await deps.database.db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('event_brands').selectAll().where('event_id', '=', eventId).executeTakeFirst();
    const chosen: Record<ImageKind, string | null> = { cover: current?.cover_set ?? null, logo: current?.logo_set ?? null };
    for (const kind of ['cover', 'logo'] as const) {
      if (input[kind === 'cover' ? 'removeCover' : 'removeLogo']) chosen[kind] = null;
      const r = sets[kind];
      if (r?.ok) {
        for (const x of r.set.renditions) {
          // The same upload again: its renditions are there already.
          await trx
            .insertInto('brand_images')
            .values({ hash: x.hash, set_id: r.set.setId, event_id: eventId, kind, width: x.width, height: x.height, content_type: x.contentType, data: x.data, created_at: at })
            .onConflict((oc) => oc.columns(['set_id', 'width', 'content_type']).doNothing())
            .execute();
        }
        chosen[kind] = r.set.setId;
      }
    }
    // Renditions no longer chosen are removed (their URLs were immutable; nobody links to them any more).
    await trx
      .deleteFrom('brand_images')
      .where('event_id', '=', eventId)
      .where('set_id', 'not in', [chosen.cover ?? '', chosen.logo ?? ''])
      .execute();
    const row = {
      accent_color: accent?.colour ?? null,
      cover_set: chosen.cover,
      logo_set: chosen.logo,
      alt_text: JSON.stringify(input.altText),
      embed_origins: JSON.stringify(origins),
      updated_at: at,
    };
    if (current) await trx.updateTable('event_brands').set(row).where('event_id', '=', eventId).execute();
    else await trx.insertInto('event_brands').values({ event_id: eventId, ...row }).execute();
    // The cached public page is keyed by events.version (ADR 0012): a new look must show at once on every instance.
    await trx.updateTable('events').set({ updated_at: at }).where('id', '=', eventId).execute();
    await appendAudit(trx, {
      id: newId(now, deps.random),
      at,
      actor: actorId,
      action: 'event.brand_changed',
      eventId,
      data: { accent: accent?.colour ?? null, adjusted: accent?.adjusted ?? false, cover: chosen.cover, logo: chosen.logo, embedOrigins: origins },
    });
  });
  return { brand: await loadBrand(deps.database.db, eventId), accent };
}
