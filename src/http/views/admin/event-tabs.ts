import { contentFor, type Event } from '../../../domain/event.ts';
import type { Locale } from '../../../domain/locales.ts';
import type { Translator } from '../../../i18n/index.ts';
import { can, type Permission } from '../../../services/users.ts';
import { html, type SafeHtml } from '../html.ts';

export const EVENT_TABS = ['overview', 'applications', 'selection', 'guests', 'messages', 'mail', 'reveal', 'settings', 'brand', 'checkin'] as const;
export type EventTab = (typeof EVENT_TABS)[number];

/** Where each tab leads, and who may open it (a tab a role cannot open is not shown). */
const TAB: Record<EventTab, { path: (id: string) => string; perm: Permission }> = {
  overview: { path: (id) => `/admin/events/${id}`, perm: 'reviewApplications' },
  applications: { path: (id) => `/admin/events/${id}/applications`, perm: 'reviewApplications' },
  selection: { path: (id) => `/admin/events/${id}/selection`, perm: 'manageEvents' },
  guests: { path: (id) => `/admin/events/${id}/guests`, perm: 'reviewApplications' },
  messages: { path: (id) => `/admin/events/${id}/messages`, perm: 'manageEvents' },
  reveal: { path: (id) => `/admin/events/${id}/reveal`, perm: 'manageEvents' },
  mail: { path: (id) => `/admin/events/${id}/mail-texts`, perm: 'manageEvents' },
  settings: { path: (id) => `/admin/events/${id}/edit`, perm: 'manageEvents' },
  brand: { path: (id) => `/admin/events/${id}/brand`, perm: 'manageEvents' },
  checkin: { path: (id) => `/checkin/${id}`, perm: 'checkIn' },
};

/**
 * The tab bar every event page shares: a nav of links, the current one marked with aria-current="page".
 * The row wraps (CSS), so every tab and the current one stay in view at any width; on a phone they become pills.
 * `role` hides tabs the signed-in person cannot open; without it every tab is shown.
 */
export function eventTabs(t: Translator, event: Pick<Event, 'id'>, active: EventTab, role?: string): SafeHtml {
  const tabs = EVENT_TABS.filter((k) => !role || can(role, TAB[k].perm));
  return html`<nav class="event-tabs" aria-label="${t('event_home.tabs_label')}"><ul>${tabs.map(
    (k) =>
      html`<li><a href="${TAB[k].path(event.id)}"${k === active ? html` aria-current="page"` : ''}>${t(`event_home.tab_${k}`)}</a></li>`,
  )}</ul></nav>`;
}

/**
 * The tab bar, then the breadcrumb back to the event list and the event home: the head of every event-scoped
 * page, so an organizer can always get back without typing a URL. Links a role cannot open are plain text.
 */
export function eventHeader(t: Translator, locale: Locale, event: Event, active: EventTab, role?: string): SafeHtml {
  const title = contentFor(event, locale).title;
  const staff = !role || can(role, 'reviewApplications');
  // Tabs first, then the breadcrumb: the order the tab pages (overview, lists, selection) already use.
  return html`${eventTabs(t, event, active, role)}
<p class="eyebrow breadcrumb">${staff ? html`<a href="/admin">${t('admin.events.title')}</a> · <a href="/admin/events/${event.id}">${title}</a>` : title}</p>`;
}
