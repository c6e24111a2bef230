import { isDate } from '../../domain/application.ts';
import { type Event, localized, type Question } from '../../domain/event.ts';
import type { Locale } from '../../domain/locales.ts';
import { formatDate, type Translator } from '../../i18n/index.ts';

/**
 * An answer as a person reads it, in the reader's language: option labels (several joined as a list), yes/no,
 * dates and numbers formatted — never the stored option ids. One function for the organizer's detail page, the
 * CSV export and the applicant's status page, so they cannot disagree.
 */
export function answerLabel(t: Translator, locale: Locale | string, event: Event, q: Question, value: string | undefined): string {
  if (value === undefined || value === '') return '';
  if (q.type === 'yes_no') return value === 'yes' ? t('form.yes') : value === 'no' ? t('form.no') : value;
  if (q.type === 'single_choice' || q.type === 'multiple_choice') {
    // Multiple choice is stored as the chosen ids, comma-separated (domain/application.ts).
    const ids = value.split(',');
    const labels = ids.map((id) => {
      const op = q.options?.find((o) => o.id === id);
      return op ? localized(op.label, locale as Locale, event.defaultLocale) : id;
    });
    return new Intl.ListFormat(locale, { type: 'conjunction' }).format(labels);
  }
  if (q.type === 'date' && isDate(value)) return formatDate(`${value}T12:00:00.000Z`, locale as Locale, 'UTC');
  if (q.type === 'number') {
    const n = Number(value);
    return Number.isFinite(n) ? new Intl.NumberFormat(locale, { maximumFractionDigits: 6 }).format(n) : value;
  }
  return value;
}
