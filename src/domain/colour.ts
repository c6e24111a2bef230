/**
 * An event's accent colour must stay readable (WCAG 2.2 AA, 1.4.3: 4.5:1 for text): it is the background of
 * primary buttons under white text, and the colour of links on the page background and on cards. A colour that
 * fails is darkened (same hue and saturation, lower lightness) until it passes; the organizer sees both ratios.
 */
export const AA_TEXT = 4.5;
/** What the accent colour is checked against: button text (white), the page background and cards (app.css). */
export const ACCENT_PARTNERS = { buttonText: '#ffffff', page: '#fbfaf7', card: '#ffffff' } as const;

export function parseHexColour(input: string): string | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(input.trim());
  if (!m) return null;
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return `#${h.toLowerCase()}`;
}

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
const toHex = (c: number[]): string => `#${c.map((x) => Math.round(Math.min(255, Math.max(0, x))).toString(16).padStart(2, '0')).join('')}`;

/** Relative luminance (WCAG 2.2 definition, sRGB). */
export function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The worst contrast of the accent against everything it meets. */
export function accentContrast(hex: string): number {
  return Math.min(...Object.values(ACCENT_PARTNERS).map((p) => contrastRatio(hex, p)));
}

function toHsl(hex: string): [number, number, number] {
  const [r, g, b] = rgb(hex).map((v) => v / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  if (max === min) return [0, 0, l];
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  const h = max === r ? (g - b) / d + (g < b ? 6 : 0) : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return [h / 6, s, l];
}

function fromHsl(h: number, s: number, l: number): string {
  if (s === 0) return toHex([l * 255, l * 255, l * 255]);
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const f = (t: number) => {
    const x = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    if (x < 1 / 6) return p + (q - p) * 6 * x;
    if (x < 1 / 2) return q;
    if (x < 2 / 3) return p + (q - p) * (2 / 3 - x) * 6;
    return p;
  };
  return toHex([f(h + 1 / 3) * 255, f(h) * 255, f(h - 1 / 3) * 255]);
}

export interface AccentCheck {
  /** The colour to use: the one asked for, or a darker one of the same hue. */
  colour: string;
  requested: string;
  adjusted: boolean;
  /** Worst contrast of the requested colour, and of the one used. */
  requestedRatio: number;
  ratio: number;
}

/** Checks an accent colour and darkens it (in 1 % lightness steps) until every pairing reaches 4.5:1. */
export function checkAccentColour(hex: string): AccentCheck {
  const requestedRatio = accentContrast(hex);
  if (requestedRatio >= AA_TEXT) return { colour: hex, requested: hex, adjusted: false, requestedRatio, ratio: requestedRatio };
  const [h, s, l] = toHsl(hex);
  let colour = hex;
  for (let step = Math.floor(l * 100); step >= 0; step--) {
    colour = fromHsl(h, s, step / 100);
    if (accentContrast(colour) >= AA_TEXT) break;
  }
  return { colour, requested: hex, adjusted: true, requestedRatio, ratio: accentContrast(colour) };
}
