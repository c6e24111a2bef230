import type { Locale } from '../../domain/locales.ts';
import { formatNumber } from '../../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';

/**
 * Small server-rendered SVG charts (docs/adr/0005-server-rendered-charts.md): no script, no inline style —
 * only SVG presentation attributes and classes from app.css, so they render under the strict CSP. Every chart
 * is a <figure> with a caption, an SVG with role="img", a <title> and a one-sentence <desc> (the text
 * alternative), and the numbers themselves as a table behind a disclosure.
 */

export interface Datum {
  label: string;
  value: number;
  /** Second bar style (e.g. a preferred country). */
  alt?: boolean;
  /** Shown after the label in the chart and the table, so colour is never the only cue ("preferred"). */
  note?: string;
  /** More columns for this row of the data table (e.g. people next to parties). */
  extra?: (string | number)[];
}

export interface ChartText {
  /** Unique in the page (used for element ids). */
  id: string;
  title: string;
  /** The text alternative: what the chart shows, in a sentence. */
  summary: string;
  /** "Show the numbers" */
  tableToggle: string;
  /** Column headers of the data table. */
  headers: string[];
  locale: Locale;
}

const W = 420;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const r1 = (n: number) => Math.round(n * 10) / 10;

function svg(c: ChartText, height: number, body: SafeHtml): SafeHtml {
  return html`<svg viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-labelledby="${c.id}-t ${c.id}-d" focusable="false"><title id="${c.id}-t">${c.title}</title><desc id="${c.id}-d">${c.summary}</desc>${body}</svg>`;
}

function table(c: ChartText, rows: (string | number)[][]): SafeHtml {
  const cell = (v: string | number) => (typeof v === 'number' ? formatNumber(v, c.locale) : v);
  return html`<details><summary>${c.tableToggle}</summary><table class="data"><caption class="visually-hidden">${c.title}</caption>
<thead><tr>${c.headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map(([first, ...rest]) => html`<tr><th scope="row">${cell(first)}</th>${rest.map((v) => html`<td>${cell(v)}</td>`)}</tr>`)}</tbody></table></details>`;
}

function figure(c: ChartText, chart: SafeHtml, rows: (string | number)[][]): SafeHtml {
  return html`<figure class="chart" id="${c.id}"><figcaption>${c.title}</figcaption>${chart}<p class="visually-hidden">${c.summary}</p>${table(c, rows)}</figure>`;
}

/** Horizontal bars, one row per category, value at the bar's end: readable at phone width. */
export function barChart(c: ChartText & { data: Datum[] }): SafeHtml {
  const row = 26;
  const labelW = 180;
  const max = Math.max(1, ...c.data.map((d) => d.value));
  const barW = W - labelW - 60;
  const height = Math.max(row, c.data.length * row) + 4;
  const bars = c.data.map((d, i) => {
    const y = i * row + 2;
    const w = d.value > 0 ? Math.max(1, r1((d.value / max) * barW)) : 0;
    return html`<text x="${labelW - 6}" y="${y + row / 2 + 4}" text-anchor="end">${clip(d.note ? `${d.label} (${d.note})` : d.label, 25)}</text><rect class="bar${d.alt ? ' alt' : ''}" x="${labelW}" y="${y + 3}" width="${w}" height="${row - 8}"></rect><text x="${r1(labelW + w + 4)}" y="${y + row / 2 + 4}">${formatNumber(d.value, c.locale)}</text>`;
  });
  const rows = c.data.map((d) => [d.note ? `${d.label} (${d.note})` : d.label, d.value, ...(d.extra ?? [])]);
  return figure(c, svg(c, height, html`<line class="axis" x1="${labelW}" y1="0" x2="${labelW}" y2="${height}"></line>${bars}`), rows);
}

/**
 * Applications per day as columns, and the running total as a line on its own scale (named in the caption and
 * the table; the figures at the line's end say what it reaches). Up to ~6 day labels so they never collide.
 */
export function dailyChart(c: ChartText & { days: { label: string; short: string; value: number }[]; legend: string }): SafeHtml {
  const height = 200;
  const top = 18;
  const bottom = 24;
  const plotH = height - top - bottom;
  const n = Math.max(1, c.days.length);
  const step = W / n;
  const max = Math.max(1, ...c.days.map((d) => d.value));
  let sum = 0;
  const cumulative = c.days.map((d) => (sum += d.value));
  const total = Math.max(1, sum);
  const every = Math.max(1, Math.ceil(n / 5));
  const cols = c.days.map((d, i) => {
    const h = r1((d.value / max) * plotH);
    return html`<rect class="bar" x="${r1(i * step + step * 0.15)}" y="${r1(top + plotH - h)}" width="${r1(step * 0.7)}" height="${h}"></rect>`;
  });
  const points = cumulative.map((v, i) => `${r1(i * step + step / 2)},${r1(top + plotH - (v / total) * plotH)}`).join(' ');
  // First label starts at the left edge, the last ends at the right one; between, a few centred ones that cannot touch.
  const labels = c.days.map((d, i) => {
    if (i === 0) return html`<text x="0" y="${height - 6}">${d.short}</text>`;
    if (i === n - 1) return html`<text x="${W}" y="${height - 6}" text-anchor="end">${d.short}</text>`;
    return i % every === 0 && i > every / 2 && n - 1 - i >= every ? html`<text x="${r1(i * step + step / 2)}" y="${height - 6}" text-anchor="middle">${d.short}</text>` : '';
  });
  const body = html`<line class="axis" x1="0" y1="${top + plotH}" x2="${W}" y2="${top + plotH}"></line>${cols}<polyline class="line" points="${points}"></polyline>
<text x="${W}" y="12" text-anchor="end">${formatNumber(sum, c.locale)}</text><text x="0" y="12">${formatNumber(max, c.locale)}</text>${labels}`;
  return figure(c, html`${svg(c, height, body)}<p class="hint">${c.legend}</p>`, c.days.map((d, i) => [d.label, d.value, cumulative[i]]));
}
