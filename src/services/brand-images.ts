import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import type { FieldError } from '../errors.ts';

/**
 * Uploaded brand images are never served as uploaded: sharp decodes them (bounded in bytes and pixels), applies
 * the EXIF orientation, and re-encodes a few widths in WebP and a fallback format. Re-encoding drops every
 * metadata block (EXIF with GPS, XMP, ICC beyond sRGB) and anything hidden after the image data.
 */
export type ImageKind = 'cover' | 'logo';
export const IMAGE_LIMITS = { maxBytes: 8 * 1024 * 1024, maxPixels: 40_000_000, minWidth: 64 } as const;
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff', 'svg']);

const RENDITIONS: Record<ImageKind, { widths: number[]; fallback: 'jpeg' | 'png' }> = {
  cover: { widths: [480, 960, 1600], fallback: 'jpeg' },
  // Logos keep transparency: PNG, not JPEG, as the fallback.
  logo: { widths: [160, 320], fallback: 'png' },
};

export interface Rendition {
  hash: string;
  width: number;
  height: number;
  contentType: string;
  data: Buffer;
}

export interface ImageSet {
  setId: string;
  renditions: Rendition[];
}

export type ImageResult = { ok: true; set: ImageSet } | { ok: false; error: FieldError };

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export async function renderImageSet(input: Buffer, kind: ImageKind, field: string, eventId: string): Promise<ImageResult> {
  const fail = (code: string, params?: Record<string, string | number>): ImageResult => ({ ok: false, error: { field, code, params } });
  if (input.length > IMAGE_LIMITS.maxBytes) return fail('image_too_large', { max: IMAGE_LIMITS.maxBytes / 1024 / 1024 });
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: IMAGE_LIMITS.maxPixels }).metadata();
  } catch {
    return fail('image_unreadable');
  }
  if (!meta.format || !ACCEPTED.has(meta.format)) return fail('image_unreadable');
  if ((meta.width ?? 0) < IMAGE_LIMITS.minWidth) return fail('image_too_small', { min: IMAGE_LIMITS.minWidth });
  const spec = RENDITIONS[kind];
  // Upright width: a portrait photo stored sideways reports its sensor width.
  const upright = (meta.orientation ?? 1) >= 5 ? meta.height! : meta.width!;
  const widths = [...new Set(spec.widths.map((w) => Math.min(w, upright)))];
  const renditions: Rendition[] = [];
  try {
    for (const w of widths) {
      for (const format of ['webp', spec.fallback] as const) {
        const pipeline = sharp(input, { limitInputPixels: IMAGE_LIMITS.maxPixels, pages: 1 }).rotate().resize({ width: w, withoutEnlargement: true });
        const out = await (format === 'webp'
          ? pipeline.webp({ quality: 80 })
          : format === 'jpeg'
            ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 82, mozjpeg: true })
            : pipeline.png({ compressionLevel: 9 })
        ).toBuffer({ resolveWithObject: true });
        renditions.push({ hash: sha(out.data), width: out.info.width, height: out.info.height, contentType: `image/${format}`, data: out.data });
      }
    }
  } catch {
    return fail('image_unreadable');
  }
  return { ok: true, set: { setId: sha(Buffer.concat([Buffer.from(`${eventId}\n${kind}\n`), input])).slice(0, 32), renditions } };
}
