import { type Event, localized } from '../../domain/event.ts';
import type { Brand, BrandImage } from '../../services/brand.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * The brand's look on a page. The accent colour reaches the page as a stylesheet whose URL is the colour
 * (/brand/accent/3b2dbf.css: a pure function of its address, so it is cached for good) — no inline style, so
 * the CSP keeps style-src 'self'. Images: <picture> with a WebP and a fallback srcset, widths from the database.
 */
export const mediaUrl = (hash: string): string => `/media/${hash}`;

export function brandStyles(brand: Brand | null): string[] {
  return brand?.accentColour ? [`/brand/accent/${brand.accentColour.slice(1)}.css`] : [];
}

function srcset(img: BrandImage, type: string): string {
  return img.renditions
    .filter((r) => r.contentType === type)
    .map((r) => `${mediaUrl(r.hash)} ${r.width}w`)
    .join(', ');
}

function picture(img: BrandImage, alt: string, sizes: string, cls: string): SafeHtml {
  const fallbackType = img.renditions.find((r) => r.contentType !== 'image/webp')?.contentType ?? 'image/webp';
  const fallback = img.renditions.filter((r) => r.contentType === fallbackType);
  const mid = fallback[Math.min(1, fallback.length - 1)];
  return html`<picture class="${cls}"><source type="image/webp" srcset="${srcset(img, 'image/webp')}" sizes="${sizes}">
<img src="${mediaUrl(mid.hash)}" srcset="${srcset(img, fallbackType)}" sizes="${sizes}" width="${mid.width}" height="${mid.height}" alt="${alt}" decoding="async"></picture>`;
}

/** The cover above the event's title and the logo beside it; alt text in the shown language (empty = decorative). */
export function brandBanner(brand: Brand | null, event: Pick<Event, 'defaultLocale'>, locale: string): SafeHtml {
  if (!brand || (!brand.cover && !brand.logo)) return html``;
  return html`<div class="brand-banner">
${brand.cover ? picture(brand.cover, localized(brand.altText.cover ?? {}, locale, event.defaultLocale), '(min-width: 46rem) 46rem, 100vw', 'brand-cover') : ''}
${brand.logo ? picture(brand.logo, localized(brand.altText.logo ?? {}, locale, event.defaultLocale), '5rem', 'brand-logo') : ''}
</div>`;
}

/** An absolute URL of a cover rendition for link previews (Open Graph wants one image, about 1200 px wide). */
export function previewImage(brand: Brand | null, publicUrl: string): { url: string; width: number; height: number; type: string } | null {
  const r = brand?.cover?.renditions.filter((x) => x.contentType !== 'image/webp').at(-1);
  return r ? { url: new URL(mediaUrl(r.hash), publicUrl).href, width: r.width, height: r.height, type: r.contentType } : null;
}
