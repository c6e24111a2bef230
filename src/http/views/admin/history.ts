import type { Locale } from '../../../domain/locales.ts';
import { formatDateTime, hasKey, type Translator } from '../../../i18n/index.ts';
import { html, type SafeHtml } from '../html.ts';

export interface HistoryEntry {
  action: string;
  at: string;
  /** 'applicant', 'system', or a staff user's id. */
  actor: string;
}

/** Who did it, in words: the applicant, Admit itself, or the staff member's name (email when no name). */
export function actorLabel(t: Translator, actor: string, staff: ReadonlyMap<string, string>): string {
  if (actor === 'applicant' || actor === 'system') return t(`history.actor_${actor}`);
  return staff.get(actor) ?? t('history.actor_unknown');
}

/** One audit entry as a sentence in the reader's language; an action without a sentence yet shows its code. */
export function historySentence(t: Translator, locale: Locale, action: string, actor: string): string {
  const key = `history.${action}`;
  return hasKey(locale, key) || hasKey('en', key) ? t(key, { actor }) : t('history.unknown', { actor, action });
}

export function historyList(t: Translator, locale: Locale, timeZone: string, entries: HistoryEntry[], staff: ReadonlyMap<string, string>): SafeHtml {
  return html`<ul class="history">${entries.map(
    (e) => html`<li>${historySentence(t, locale, e.action, actorLabel(t, e.actor, staff))} <span class="muted">${formatDateTime(e.at, locale, timeZone)}</span></li>`,
  )}</ul>`;
}
