import { contentFor, type Event } from '../../../domain/event.ts';
import { formatDateTime, formatNumber } from '../../../i18n/index.ts';
import type { Exclusions, GroupSummary, PublicDrawState } from '../../../services/draw.ts';
import { html, type SafeHtml } from '../html.ts';
import type { PageContext } from '../layout.ts';

const pct = (ctx: PageContext, bp: number | null | undefined): string =>
  bp === null || bp === undefined ? '—' : `${new Intl.NumberFormat(ctx.locale, { maximumFractionDigits: 2 }).format(bp / 100)} %`;

export const groupLabel = (ctx: PageContext, key: string): string => (key === 'preferred' || key === 'other' ? ctx.t(`draw.group_${key}`) : key);

function groupTable(ctx: PageContext, groups: GroupSummary[], drawn: boolean): SafeHtml {
  const { t, locale } = ctx;
  const n = (x: number | undefined) => formatNumber(x ?? 0, locale);
  return html`<div class="table-scroll" role="region" aria-labelledby="draw-groups-caption" tabindex="0"><table class="data"><caption id="draw-groups-caption">${t('draw.groups')}</caption>
<thead><tr><th scope="col">${t('draw.group')}</th><th scope="col">${t('draw.weight')}</th><th scope="col">${t('draw.min_share')}</th><th scope="col">${t('draw.max_share')}</th>
<th scope="col">${t('draw.entries')}</th><th scope="col">${t('draw.people')}</th>
${drawn ? html`<th scope="col">${t('draw.selected')}</th><th scope="col">${t('draw.seats_drawn')}</th><th scope="col">${t('draw.waitlist')}</th>` : ''}</tr></thead>
<tbody>${groups.map((g) => html`<tr><th scope="row">${groupLabel(ctx, g.key)}</th><td>${g.weight}</td><td>${pct(ctx, g.minBasisPoints)}</td><td>${pct(ctx, g.maxBasisPoints)}</td>
<td>${n(g.entries)}</td><td>${n(g.people)}</td>${drawn ? html`<td>${n(g.selected)}</td><td>${n(g.seatsDrawn)}</td><td>${n(g.waitlist)}</td>` : ''}</tr>`)}</tbody></table></div>`;
}

function randomnessText(ctx: PageContext, event: Event, s: PublicDrawState): SafeHtml | string {
  const { t, locale } = ctx;
  const r = s.randomness;
  if (r?.kind === 'drand') {
    const at = formatDateTime(r.at, locale, event.timezone);
    return html`${t('drawbeacon.round_value', { chain: r.chainName, round: String(r.round), at })} · <a href="https://api.drand.sh/${r.chain}/public/${r.round}">${t('drawbeacon.round_link')}</a>`;
  }
  if (r?.kind === 'unverified') return html`${t('drawbeacon.unverified', { label: r.label })} <span class="muted">${t('drawbeacon.unverified_note')}</span>`;
  return s.publicRandomnessLabel ?? t('draw.randomness_none');
}

function exclusionTable(ctx: PageContext, x: Exclusions): SafeHtml {
  const { t, locale } = ctx;
  const rows = (['held', 'rejected', 'withdrawn', 'unverified', 'seated'] as const).map(
    (k) => html`<tr><th scope="row">${t(`drawbeacon.exclusion_${k}`)}</th><td>${formatNumber(x[k], locale)}</td></tr>`,
  );
  return html`<div class="table-scroll" role="region" aria-labelledby="draw-excl-caption" tabindex="0"><table class="data" id="exclusions"><caption id="draw-excl-caption">${t('drawbeacon.exclusions')}</caption>
<thead><tr><th scope="col">${t('drawbeacon.reason')}</th><th scope="col">${t('drawbeacon.count')}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** The public page of the draw: the explanation in plain words, then every published value. */
export function drawPage(ctx: PageContext, event: Event, s: PublicDrawState): SafeHtml {
  const { t, locale } = ctx;
  const when = (iso: string) => formatDateTime(iso, locale, event.timezone);
  const title = contentFor(event, locale).title;
  return html`<article class="draw">
<p class="eyebrow"><a href="/e/${event.slug}">${title}</a></p>
<h1>${t('draw.title')}</h1>
<p>${t('draw.intro', { event: title })}</p>

<section aria-labelledby="pub-h"><h2 id="pub-h">${t('draw.published')}</h2>
<h3>${t('draw.step_commit')}</h3>
${s.status === 'none'
  ? html`<p class="muted">${t('draw.not_committed')}</p>`
  : html`<dl class="details">
<div><dt>${t('draw.commitment')}</dt><dd><code id="commitment">${s.commitment}</code></dd></div>
<div><dt>${t('draw.committed_at')}</dt><dd><time datetime="${s.committedAt}">${when(s.committedAt!)}</time></dd></div>
<div><dt>${t('draw.randomness')}</dt><dd id="randomness">${randomnessText(ctx, event, s)}</dd></div>
${s.committedSeats !== undefined ? html`<div><dt>${t('draw.seats')}</dt><dd>${formatNumber(s.committedSeats, locale)} · ${t('drawbeacon.fixed_at_commit')}</dd></div>` : ''}
</dl>`}
<h3>${t('draw.step_freeze')}</h3>
${s.frozen
  ? html`<dl class="details">
<div><dt>${t('draw.freeze_hash')}</dt><dd><code id="freeze-hash">${s.frozen.freezeHash}</code></dd></div>
<div><dt>${t('draw.frozen_at')}</dt><dd><time datetime="${s.frozen.at}">${when(s.frozen.at)}</time></dd></div>
<div><dt>${t('draw.entries')}</dt><dd id="entry-count">${formatNumber(s.frozen.entries, locale)}</dd></div>
<div><dt>${t('draw.seats')}</dt><dd>${formatNumber(s.frozen.seats, locale)}</dd></div>
</dl>
${s.frozen.secret ? html`<dl class="details"><div><dt>${t('drawbeacon.secret_at_freeze')}</dt><dd><code id="frozen-secret">${s.frozen.secret}</code></dd></div></dl>` : ''}
${s.frozen.heldExcluded ? html`<p id="held-excluded">${t('review.held_excluded', { n: s.frozen.heldExcluded })}</p>` : ''}
${groupTable(ctx, s.frozen.groups, !!s.drawn)}
${s.frozen.exclusions ? exclusionTable(ctx, s.frozen.exclusions) : ''}
<p><a class="button" href="/e/${event.slug}/draw/entries.json" download>${t('drawbeacon.entry_list')}</a></p>
<p class="hint">${t('drawbeacon.entry_list_hint')}</p>`
  : html`<p class="muted">${t('draw.not_frozen')}</p>`}
<h3>${t('draw.step_draw')}</h3>
${s.drawn
  ? html`<dl class="details">
<div><dt>${t('draw.drawn_at')}</dt><dd><time datetime="${s.drawn.at}">${when(s.drawn.at)}</time></dd></div>
<div><dt>${t('draw.selected')}</dt><dd>${formatNumber(s.drawn.selected, locale)}</dd></div>
<div><dt>${t('draw.waitlist')}</dt><dd>${formatNumber(s.drawn.waitlist, locale)}</dd></div>
<div><dt>${t('draw.result_hash')}</dt><dd><code id="result-hash">${s.drawn.resultHash}</code></dd></div>
<div><dt>${t('draw.secret')}</dt><dd><code id="secret">${s.drawn.secret}</code></dd></div>
${s.drawn.publicRandomnessValue !== null ? html`<div><dt>${t('draw.randomness_value')}</dt><dd><code>${s.drawn.publicRandomnessValue}</code></dd></div>` : ''}
<div><dt>${t('draw.seed')}</dt><dd><code>${s.drawn.seed}</code></dd></div>
</dl>
<p><a class="button" href="/e/${event.slug}/draw/bundle.json" download>${t('draw.download')}</a></p>`
  : s.randomness?.kind === 'drand' && s.status === 'frozen'
    ? s.randomness.overdue
      ? html`<p class="notice" id="overdue"><strong>${t('drawbeacon.overdue', { at: when(s.randomness.at) })}</strong></p>`
      : html`<p class="muted">${t('draw.not_drawn')} ${t('drawbeacon.waiting')}</p>`
    : html`<p class="muted">${t('draw.not_drawn')}</p>`}
</section>

<section aria-labelledby="how-h"><h2 id="how-h">${t('draw.how_title')}</h2>
<p>${t('draw.how_1')}</p><p>${t('draw.how_2')}</p><p>${t('draw.how_3')}</p><p>${t('draw.how_4')}</p>
</section>
<section aria-labelledby="trust-h"><h2 id="trust-h">${t('draw.trust_title')}</h2>
<p>${t('draw.trust_1')}</p><p>${t('draw.trust_2')}</p>
</section>
<section aria-labelledby="check-h"><h2 id="check-h">${t('draw.check_title')}</h2>
<p>${t('draw.check_1')}</p><p>${t('draw.check_2')}</p>
</section>
</article>`;
}
