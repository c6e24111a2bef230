import type { Locale } from '../../domain/locales.ts';
import { formatDateTime, formatNumber, formatTime, type Translator } from '../../i18n/index.ts';
import type { DoorBoard, DoorConflict, DoorDeviceSummary } from '../../services/door.ts';
import { barChart, dailyChart } from './charts.ts';
import { csrfField, errorSummary, type FormErrors, textField } from './form.ts';
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

/** Registering this phone as a door device (staff with the door permission, signed in). */
export function deviceRegisterPage(ctx: PageContext, o: { eventId: string; eventTitle: string; values: { name?: string; door?: string }; errors: FormErrors }): SafeHtml {
  const { t } = ctx;
  return html`<article class="checkin">
<p class="eyebrow">${o.eventTitle}</p>
<h1>${t('door.register_title')}</h1>
<p>${t('door.register_intro')}</p>
${errorSummary(t, o.errors)}
<form method="post" action="/checkin/${o.eventId}/device" novalidate>
${csrfField(ctx.csrfToken ?? '')}
${textField(t, { name: 'name', label: t('door.device_name'), hint: t('door.device_name_hint'), value: o.values.name ?? '', errors: o.errors, required: true, maxlength: 60, autocomplete: 'off' })}
${textField(t, { name: 'door', label: t('door.door_name'), hint: t('door.door_name_hint'), value: o.values.door ?? '', errors: o.errors, required: true, maxlength: 60, autocomplete: 'off' })}
<div class="actions"><button type="submit" class="primary">${t('door.register_submit')}</button></div>
</form>
<p><a href="/checkin/${o.eventId}">${t('door.back_to_door')}</a></p>
</article>`;
}

/** Shown once after registering: the app script stores the device token on the phone and opens the door app. */
export function deviceEnrolPage(ctx: PageContext, o: { token: string; eventTitle: string; deviceName: string }): SafeHtml {
  const { t } = ctx;
  return html`<article class="checkin" id="door-enrol" data-token="${o.token}">
<h1>${t('door.registered_title')}</h1>
<p>${t('door.registered_body', { name: o.deviceName, event: o.eventTitle })}</p>
<p id="door-enrol-status" role="status">${t('door.registered_opening')}</p>
<p><a href="/door/">${t('door.open_app')}</a></p>
</article>`;
}

/** The strings the device app shows (it renders them itself, offline). */
export function deviceMessages(t: Translator): Record<string, string> {
  const keys = [
    'admitted', 'already', 'not_valid', 'unknown', 'forged', 'other_event', 'bad_check', 'needs_network', 'queued', 'synced_ago', 'never_synced',
    'stale', 'offline', 'online', 'not_registered', 'revoked', 'signed_out', 'sign_out_pending', 'party', 'admit_name', 'no_hits', 'names_off',
    'camera_unavailable', 'start_camera', 'stop_camera', 'in_already', 'seconds', 'minutes', 'hours', 'pending', 'by_device', 'syncing',
  ];
  return Object.fromEntries(keys.map((k) => [k, t(`door.app.${k}`)]));
}

/**
 * The installable door app's one page (/door/): no personal data and no CSRF token, so the service worker can
 * keep it for offline starts; /door/app.js fills it from IndexedDB.
 */
export function doorAppDocument(o: { locale: Locale; t: Translator; dir: 'ltr' | 'rtl' }): string {
  const { t } = o;
  const page = html`<!doctype html>
<html lang="${o.locale}" dir="${o.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('door.app_title')}</title>
<link rel="manifest" href="/door/manifest.webmanifest">
<meta name="theme-color" content="#3b2dbf">
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/door/app.js"></script>
</head>
<body class="door-app">
<main id="main" class="door" data-msgs="${JSON.stringify(deviceMessages(t))}" data-locale="${o.locale}">
<header class="door-bar">
<p class="door-title"><strong id="door-event">${t('door.app_title')}</strong> <span id="door-device" class="muted"></span></p>
<p class="door-sync" id="door-sync" role="status" aria-live="polite"><span id="door-net">${t('door.app.offline')}</span> · <span id="door-age">${t('door.app.never_synced')}</span><span id="door-queue"></span></p>
</header>
<h1 class="visually-hidden">${t('door.app_title')}</h1>
<p id="door-message" class="notice" hidden></p>
<section id="door-main" hidden>
<p class="checkin-counts"><span id="door-arrived">0</span> / <span id="door-expected">0</span> <span class="muted">${t('checkin.arrived')}</span> · <span class="muted">${t('door.app.by_device')}</span> <span id="door-mine">0</span></p>
<div id="door-result" class="checkin-result" role="status" aria-live="assertive" hidden></div>
<section class="scanner" aria-label="${t('checkin.scan')}">
<div class="viewfinder"><video id="door-video" playsinline muted></video></div>
<div class="actions"><button type="button" class="primary" id="door-camera">${t('door.app.start_camera')}</button></div>
</section>
<form id="door-code-form" class="checkin-form">
<div class="field"><label for="door-code">${t('checkin.code_label')}</label>
<p class="hint" id="door-code-hint">${t('doorcode.hint')}</p>
<div class="inline-field"><input type="text" id="door-code" name="code" autocomplete="off" autocapitalize="off" spellcheck="false" aria-describedby="door-code-hint">
<button type="submit" class="primary">${t('checkin.check_in')}</button></div></div>
</form>
<form id="door-search-form" class="checkin-form" role="search">
<div class="field"><label for="door-q">${t('checkin.search_label')}</label>
<div class="inline-field"><input type="search" id="door-q" name="q" autocomplete="off">
<button type="submit">${t('checkin.search')}</button></div></div>
</form>
<ul id="door-hits" class="hits"></ul>
<div class="actions"><button type="button" id="door-sync-now">${t('door.sync_now')}</button> <button type="button" id="door-sign-out" class="link">${t('door.sign_out')}</button></div>
</section>
</main>
</body>
</html>`;
  return page.toString();
}

function when(iso: string, locale: Locale, tz: string): string {
  return formatDateTime(iso, locale, tz);
}

/** The organizer's live board: expected, arrived, by door, per five minutes; devices; conflicts; settings. */
export function doorBoardPage(
  ctx: PageContext,
  o: { header: SafeHtml; eventId: string; timezone: string; board: DoorBoard; devices: DoorDeviceSummary[]; conflicts: DoorConflict[]; offlineNames: boolean; saved: boolean },
): SafeHtml {
  const { t, locale } = ctx;
  const b = o.board;
  const doors = b.byDoor.map((d) => ({ label: d.door ?? t('door.board_web_door'), value: d.arrived }));
  return html`${o.header}
<article class="door-board" id="door-board">
<h1>${t('door.board_title')}</h1>
${o.saved ? html`<p class="notice success" role="status">${t('door.saved')}</p>` : ''}
<div id="door-board-live">
<p class="checkin-counts"><strong>${formatNumber(b.arrived, locale)}</strong> / ${formatNumber(b.expected, locale)} <span class="muted">${t('checkin.arrived')}</span></p>
${b.conflicts ? html`<p class="notice warning"><a href="#conflicts">${t('door.board_conflicts', { n: b.conflicts })}</a></p>` : ''}
${doors.length
  ? barChart({ id: 'by-door', title: t('door.board_by_door'), summary: t('door.board_by_door_summary', { n: doors.length }), tableToggle: t('event_home.show_table'), headers: [t('door.door_name'), t('checkin.arrived')], locale, data: doors })
  : html`<p class="muted">${t('door.board_nobody')}</p>`}
${b.perFiveMinutes.length
  ? dailyChart({
      id: 'per-5',
      title: t('door.board_per_5'),
      summary: t('door.board_per_5_summary', { n: b.arrived }),
      tableToggle: t('event_home.show_table'),
      headers: [t('door.board_time'), t('checkin.arrived'), t('door.board_total')],
      legend: t('door.board_per_5_legend'),
      locale,
      days: b.perFiveMinutes.map((p) => ({ label: formatTime(p.at, locale, o.timezone), short: formatTime(p.at, locale, o.timezone), value: p.arrived })),
    })
  : ''}
</div>
<h2>${t('door.devices_title')}</h2>
<p><a href="/checkin/${o.eventId}/device">${t('door.register_link')}</a> · <a href="/checkin/${o.eventId}/door-list.pdf">${t('door.pdf_link')}</a></p>
${o.devices.length
  ? html`<table class="data"><thead><tr><th scope="col">${t('door.device_name')}</th><th scope="col">${t('door.door_name')}</th><th scope="col">${t('door.devices_admitted')}</th><th scope="col">${t('door.devices_conflicts')}</th><th scope="col">${t('door.devices_seen')}</th><th scope="col">${t('door.devices_state')}</th></tr></thead><tbody>
${o.devices.map(
  (d) => html`<tr><td><bdi>${d.name}</bdi></td><td><bdi>${d.door}</bdi></td><td>${formatNumber(d.admitted, locale)}</td><td>${formatNumber(d.conflicts, locale)}</td><td>${d.lastSeenAt ? when(d.lastSeenAt, locale, o.timezone) : '—'}</td>
<td>${d.revokedAt
    ? t(d.revokedReason === 'signed_out' ? 'door.devices_signed_out' : 'door.devices_revoked', { time: when(d.revokedAt, locale, o.timezone) })
    : html`<form method="post" action="/admin/events/${o.eventId}/door/devices/${d.id}/revoke" class="inline">${csrfField(ctx.csrfToken ?? '')}<button type="submit" aria-label="${t('door.revoke_named', { name: d.name })}">${t('door.revoke')}</button></form>`}</td></tr>`,
)}</tbody></table>`
  : html`<p class="muted">${t('door.devices_none')}</p>`}
<h2 id="conflicts">${t('door.conflicts_title')}</h2>
<p class="hint">${t('door.conflicts_intro')}</p>
${o.conflicts.length
  ? html`<table class="data"><thead><tr><th scope="col">${t('door.conflicts_guest')}</th><th scope="col">${t('door.conflicts_counted')}</th><th scope="col">${t('door.conflicts_also')}</th><th scope="col">${t('door.conflicts_why')}</th></tr></thead><tbody>
${o.conflicts.map(
  (c) => html`<tr><td><bdi>${c.holderName}</bdi></td>
<td>${c.first ? t('door.conflicts_where', { device: c.first.device, door: c.first.door, time: when(c.first.scannedAt, locale, o.timezone) }) : '—'}</td>
<td>${t('door.conflicts_where', { device: c.late.device, door: c.late.door, time: when(c.late.scannedAt, locale, o.timezone) })}<br><span class="muted">${t('door.conflicts_received', { time: when(c.late.receivedAt, locale, o.timezone) })}</span></td>
<td>${t(c.late.reason === 'twice' ? 'door.conflicts_twice' : 'door.conflicts_not_valid')}</td></tr>`,
)}</tbody></table>`
  : html`<p>${t('door.conflicts_none')}</p>`}
<h2>${t('door.settings_title')}</h2>
<form method="post" action="/admin/events/${o.eventId}/door/settings">
${csrfField(ctx.csrfToken ?? '')}
<div class="field checkbox"><input type="checkbox" id="f-offline_names" name="offline_names" value="yes"${o.offlineNames ? html` checked` : ''} aria-describedby="h-offline_names">
<label for="f-offline_names">${t('door.offline_names')}</label>
<p class="hint" id="h-offline_names">${t('door.offline_names_hint')}</p></div>
<div class="actions"><button type="submit">${t('door.save')}</button></div>
</form>
</article>`;
}
