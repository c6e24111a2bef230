// The door app (issue 15, ADR 0015): a registered phone keeps the event's door list in IndexedDB and decides
// on the spot — signed QR codes are verified with the event's public key (WebCrypto Ed25519), typed codes are
// looked up by hash, names (when the organizer allows) searched locally. Online, an admission is asked of the
// server first; offline (or when the server does not answer in time) the device admits, queues the scan with
// its id and time, and sends the queue when the network returns. The list is refreshed every few seconds.
import { doorCodeHash, fromBase64url, parseDoorCode, parseSigned } from '/door/door-code.js';

const DB_NAME = 'admit-door';
/** The full list is stored in chunks (a few large records write far faster than 50,000 small ones). */
const CHUNK = 5000;
const SYNC_EVERY_MS = 3000;
/** "Last synced" turns into a warning after this long. */
const STALE_MS = 5 * 60_000;
/** An online admission waits this long for the server before the device decides alone. */
const ONLINE_TIMEOUT_MS = 2500;
const SAME_CODE_PAUSE_MS = 3000;

// ---- IndexedDB ----
function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('meta');
      // chunks: the last full list as arrays of tuples; tickets: every ticket changed since (deltas, admissions).
      db.createObjectStore('chunks');
      db.createObjectStore('tickets', { keyPath: 'id' });
      db.createObjectStore('queue', { keyPath: 'scan' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error);
});
const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

// ---- enrolment: the page after registering hands over the token once ----
const enrol = document.getElementById('door-enrol');
if (enrol) {
  (async () => {
    await new Promise((r) => {
      const del = indexedDB.deleteDatabase(DB_NAME);
      del.onsuccess = del.onerror = del.onblocked = () => r();
    });
    const db = await openDb();
    const tx = db.transaction('meta', 'readwrite');
    tx.objectStore('meta').put({ token: enrol.dataset.token }, 'device');
    await done(tx);
    db.close();
    location.replace('/door/');
  })();
}

const root = document.getElementById('main');
if (root && root.classList.contains('door')) start();

function start() {
  const M = JSON.parse(root.dataset.msgs);
  const locale = root.dataset.locale || 'en';
  const $ = (id) => document.getElementById(id);
  const fmt = (msg, params = {}) => msg.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });

  let db = null;
  let device = null; // { token }
  let meta = {}; // eventId, publicKey, cursor, lastSync, offlineNames, eventTitle, name, door, mine
  let key = null;
  const tickets = new Map();
  const byHash = new Map();
  const parties = new Map();
  let queue = [];
  let online = navigator.onLine;
  let syncing = null;
  let stopped = false;
  const timings = [];
  window.__door = { handle: (text, kind) => handle(text, kind ?? 'scan'), timings, sync: () => sync(), state: () => ({ queue: queue.length, tickets: tickets.size, meta }) };

  function message(text) {
    const m = $('door-message');
    m.textContent = text;
    m.hidden = !text;
  }

  function fromRow([id, h, p, pos, size, s, n]) {
    const t = { id, h, p, pos, size, s };
    if (n !== undefined) t.n = n;
    return t;
  }

  function indexTicket(t) {
    const old = tickets.get(t.id);
    if (old && old.h) byHash.delete(old.h);
    tickets.set(t.id, t);
    if (t.h) byHash.set(t.h, t);
    if (!parties.has(t.p)) parties.set(t.p, new Set());
    parties.get(t.p).add(t.id);
  }

  async function saveMeta() {
    const tx = db.transaction('meta', 'readwrite');
    tx.objectStore('meta').put(meta, 'event');
    await done(tx);
  }

  async function load() {
    db = await openDb();
    const tx = db.transaction(['meta', 'chunks', 'tickets', 'queue']);
    device = await request(tx.objectStore('meta').get('device'));
    meta = (await request(tx.objectStore('meta').get('event'))) ?? {};
    const chunks = await request(tx.objectStore('chunks').getAll());
    const changed = await request(tx.objectStore('tickets').getAll());
    queue = await request(tx.objectStore('queue').getAll());
    for (const chunk of chunks) for (const row of chunk) indexTicket(fromRow(row));
    for (const t of changed) indexTicket(t);
    if (meta.publicKey) key = await importKey(meta.publicKey);
  }

  async function importKey(raw) {
    return crypto.subtle.importKey('raw', fromBase64url(raw), { name: 'Ed25519' }, false, ['verify']);
  }

  /** Deletes everything this device holds (signed out or revoked): list, names, queue, token. */
  async function wipe(reason) {
    stopped = true;
    db?.close();
    await new Promise((r) => {
      const del = indexedDB.deleteDatabase(DB_NAME);
      del.onsuccess = del.onerror = del.onblocked = () => r();
    });
    tickets.clear();
    byHash.clear();
    parties.clear();
    queue = [];
    stopCamera();
    $('door-main').hidden = true;
    message(M[reason]);
    document.body.dataset.state = reason;
  }

  class Stopped extends Error {}

  async function api(method, url, body, timeoutMs) {
    const ctrl = new AbortController();
    const timer = timeoutMs ? setTimeout(() => ctrl.abort(), timeoutMs) : null;
    let res;
    try {
      res = await fetch(url, {
        method,
        cache: 'no-store',
        signal: ctrl.signal,
        headers: { authorization: `Bearer ${device.token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch {
      setOnline(false);
      return null;
    } finally {
      if (timer) clearTimeout(timer);
    }
    setOnline(true);
    if (res.status === 401) {
      const err = await res.json().catch(() => ({}));
      await wipe(err?.error?.code === 'door.device_revoked' || err?.error?.code === 'auth.required' ? 'revoked' : 'revoked');
      throw new Stopped();
    }
    if (!res.ok) return null;
    return res.json();
  }

  function setOnline(v) {
    online = v;
    renderStatus();
  }

  // ---- sync: send the queue, then fetch what changed ----
  async function flush() {
    while (queue.length && !stopped) {
      const batch = queue.slice(0, 200);
      const res = await api('POST', '/api/door/scans', { scans: batch });
      if (!res) return false;
      const tx = db.transaction(['queue', 'tickets'], 'readwrite');
      for (const r of res.results) {
        tx.objectStore('queue').delete(r.scan);
        // What the server decided about an offline admission is the truth from now on.
        const t = r.ticketId && tickets.get(r.ticketId);
        if (t && r.outcome !== 'refused' && t.s !== 1) {
          t.s = 1;
          tx.objectStore('tickets').put(t);
        }
      }
      await done(tx);
      const sent = new Set(res.results.map((r) => r.scan));
      queue = queue.filter((q) => !sent.has(q.scan));
    }
    return true;
  }

  async function sync() {
    if (syncing) return syncing;
    syncing = (async () => {
      try {
        await flush();
        const list = await api('GET', `/api/door/list${meta.cursor ? `?since=${encodeURIComponent(meta.cursor)}` : ''}`);
        if (!list) return;
        await apply(list);
      } catch (e) {
        if (!(e instanceof Stopped)) throw e;
      } finally {
        syncing = null;
        renderStatus();
      }
    })();
    return syncing;
  }

  async function apply(list) {
    const pending = new Set(queue.map((q) => q.ticketId).filter(Boolean));
    const tx = db.transaction(['chunks', 'tickets', 'meta'], 'readwrite');
    const store = tx.objectStore('tickets');
    if (list.full) {
      store.clear();
      tx.objectStore('chunks').clear();
      tickets.clear();
      byHash.clear();
      parties.clear();
    }
    const rows = [];
    for (const row of list.tickets) {
      // A queued admission not yet sent stays "in" here until the server has it (unless the party was revoked).
      if (pending.has(row[0]) && row[5] === 0) row[5] = 1;
      const t = fromRow(row);
      indexTicket(t);
      if (list.full) rows.push(row);
      else store.put(t);
    }
    for (let i = 0; i < rows.length; i += CHUNK) tx.objectStore('chunks').put(rows.slice(i, i + CHUNK), i / CHUNK);
    meta = {
      ...meta,
      eventId: list.event.id,
      publicKey: list.event.publicKey,
      offlineNames: list.event.offlineNames,
      eventTitle: list.eventTitle,
      name: list.device.name,
      door: list.device.door,
      cursor: list.cursor,
      lastSync: Date.now(),
    };
    tx.objectStore('meta').put(meta, 'event');
    await done(tx);
    if (!key) key = await importKey(meta.publicKey);
    renderCounts();
  }

  // ---- decisions ----
  const verdict = (kind, detail, ok = false) => ({ kind, ok, title: M[kind], detail: detail ?? '' });

  function describe(t) {
    if (!t) return '';
    const party = parties.get(t.p);
    const inside = party ? [...party].filter((id) => tickets.get(id)?.s === 1).length : 0;
    const size = Math.max(t.size || 1, party?.size ?? 1);
    const partyText = size > 1 ? fmt(M.party, { size, arrived: inside }) : '';
    return [t.n, partyText].filter(Boolean).join(' · ');
  }

  async function verifySigned(p) {
    if (!key) return false;
    return crypto.subtle.verify({ name: 'Ed25519' }, key, p.signature, new TextEncoder().encode(p.message));
  }

  async function decide(raw, kind) {
    let ticketId = null;
    let code = null;
    let signed = false;
    if (kind === 'pick') ticketId = raw;
    else {
      const p = parseSigned(raw);
      if (p) {
        if (!(await verifySigned(p))) return verdict('forged');
        if (p.eventId !== meta.eventId) return verdict('other_event');
        ticketId = p.ticketId;
        code = p.text;
        signed = true;
      } else {
        const dc = parseDoorCode(raw);
        if (dc.ok) {
          const t = byHash.get(await doorCodeHash(meta.eventId, dc.code));
          if (!t) return verdict('unknown');
          ticketId = t.id;
          code = dc.code;
        } else if (dc.reason === 'bad_check') return verdict('bad_check');
        else if (/^[A-Za-z0-9_-]{30,100}$/.test(raw.replace(/\s+/g, '').split('/').pop())) {
          // A ticket from before signed QR codes: only the server can tell.
          const answer = online ? await admitOnline(null, raw.trim()) : null;
          return answer ?? verdict('needs_network');
        } else return verdict('unknown');
      }
    }
    const t = tickets.get(ticketId);
    if (!t && !signed) return verdict('unknown');
    if (t?.s === 2) return verdict('not_valid', describe(t));
    if (t?.s === 1) return verdict('already', describe(t));
    // Valid, or genuine but issued after the last sync (the signature vouches for it).
    const answer = online ? await admitOnline(ticketId, code) : null;
    return answer ?? admitOffline(ticketId, code);
  }

  const newScanId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');

  async function markIn(ticketId) {
    let t = tickets.get(ticketId);
    if (!t) {
      t = { id: ticketId, h: '', p: ticketId, pos: 0, size: 1, s: 1 };
      indexTicket(t);
    }
    t.s = 1;
    const tx = db.transaction('tickets', 'readwrite');
    tx.objectStore('tickets').put(t);
    await done(tx);
    return t;
  }

  /** Asks the server; null when it cannot be reached in time (the device then decides alone). */
  async function admitOnline(ticketId, code) {
    const scan = { scan: newScanId(), at: new Date().toISOString(), offline: false, ...(code ? { code } : { ticket: ticketId }) };
    const res = await api('POST', '/api/door/scans', { scans: [scan] }, ONLINE_TIMEOUT_MS);
    if (!res) return null;
    const r = res.results[0];
    if (r.outcome === 'admitted') {
      const t = await markIn(r.ticketId);
      meta.mine = (meta.mine ?? 0) + 1;
      await saveMeta();
      return verdict('admitted', describe(t) || r.holderName, true);
    }
    if (r.outcome === 'already') {
      const t = await markIn(r.ticketId);
      return verdict('already', describe(t) || r.holderName);
    }
    return verdict(r.ticketId ? 'not_valid' : 'unknown', r.holderName ?? '');
  }

  /** The admission, the queued scan and the counter are written in ONE IndexedDB transaction: all or nothing. */
  async function admitOffline(ticketId, code) {
    const scan = { scan: newScanId(), at: new Date().toISOString(), offline: true, ticketId, ...(code ? { code } : { ticket: ticketId }) };
    let t = tickets.get(ticketId);
    if (!t) {
      t = { id: ticketId, h: '', p: ticketId, pos: 0, size: 1, s: 1 };
      indexTicket(t);
    }
    t.s = 1;
    meta.mine = (meta.mine ?? 0) + 1;
    const tx = db.transaction(['queue', 'tickets', 'meta'], 'readwrite');
    tx.objectStore('queue').put(scan);
    tx.objectStore('tickets').put(t);
    tx.objectStore('meta').put(meta, 'event');
    await done(tx);
    queue.push(scan);
    const v = verdict('admitted', describe(t), true);
    v.queued = true;
    return v;
  }

  let lastShown = null;
  async function handle(raw, kind) {
    const t0 = performance.now();
    const v = await decide(String(raw), kind);
    show(v);
    timings.push({ ms: performance.now() - t0, online, kind: v.kind });
    return v;
  }

  function show(v) {
    const box = $('door-result');
    box.hidden = false;
    box.className = 'checkin-result';
    void box.offsetWidth;
    box.className = `checkin-result flash ${v.ok ? 'result-ok' : 'result-bad'}`;
    box.dataset.kind = v.kind;
    box.replaceChildren();
    const title = document.createElement('p');
    title.className = 'result-title';
    title.textContent = v.title;
    box.append(title);
    if (v.detail) {
      const d = document.createElement('p');
      d.className = 'result-detail';
      d.textContent = v.detail;
      box.append(d);
    }
    if (v.queued) {
      const q = document.createElement('p');
      q.className = 'result-detail muted';
      q.textContent = M.queued;
      box.append(q);
    }
    lastShown = v;
    if (navigator.vibrate) navigator.vibrate(v.ok ? 80 : [80, 60, 80, 60, 200]);
    renderCounts();
    renderStatus();
  }

  // ---- status line ----
  function renderCounts() {
    let expected = 0;
    let arrived = 0;
    for (const t of tickets.values()) {
      if (t.s !== 2) expected++;
      if (t.s === 1) arrived++;
    }
    $('door-arrived').textContent = arrived.toLocaleString(locale);
    $('door-expected').textContent = expected.toLocaleString(locale);
    $('door-mine').textContent = (meta.mine ?? 0).toLocaleString(locale);
  }

  function age(ms) {
    const s = Math.round(ms / 1000);
    if (s < 60) return rtf.format(-s, 'second');
    if (s < 3600) return rtf.format(-Math.floor(s / 60), 'minute');
    return rtf.format(-Math.floor(s / 3600), 'hour');
  }

  function renderStatus() {
    if (stopped) return;
    $('door-net').textContent = online ? M.online : M.offline;
    const bar = $('door-sync');
    const since = meta.lastSync ? Date.now() - meta.lastSync : null;
    const stale = since === null || since > STALE_MS;
    $('door-age').textContent = since === null ? M.never_synced : fmt(stale ? M.stale : M.synced_ago, { age: age(since) });
    bar.classList.toggle('stale', stale);
    bar.dataset.online = online ? '1' : '0';
    $('door-queue').textContent = queue.length ? ` · ${fmt(M.pending, { n: queue.length })}` : '';
    $('door-event').textContent = meta.eventTitle || $('door-event').textContent;
    $('door-device').textContent = meta.name ? `${meta.name} · ${meta.door}` : '';
  }

  // ---- name search ----
  const fold = (s) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase(locale);
  function search(q) {
    const list = $('door-hits');
    list.replaceChildren();
    if (!meta.offlineNames) {
      const li = document.createElement('li');
      li.textContent = M.names_off;
      list.append(li);
      return;
    }
    const needle = fold(q.trim());
    if (needle.length < 2) return;
    const hits = [...tickets.values()].filter((t) => t.n && t.s !== 2 && fold(t.n).includes(needle)).sort((a, b) => a.n.localeCompare(b.n, locale)).slice(0, 20);
    if (!hits.length) {
      const li = document.createElement('li');
      li.textContent = M.no_hits;
      list.append(li);
      return;
    }
    for (const t of hits) {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'hit-name';
      name.textContent = t.n;
      li.append(name, ' ');
      if (t.s === 1) {
        const s = document.createElement('span');
        s.className = 'muted';
        s.textContent = M.in_already;
        li.append(s);
      } else {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = fmt(M.admit_name, { name: t.n });
        b.addEventListener('click', async () => {
          await handle(t.id, 'pick');
          search($('door-q').value);
        });
        li.append(b);
      }
      const p = describe(t);
      if (p) {
        const d = document.createElement('p');
        d.className = 'hit-party muted';
        d.textContent = p;
        li.append(d);
      }
      list.append(li);
    }
  }

  // ---- camera ----
  const video = $('door-video');
  let stream = null;
  let loopTimer = null;
  let detect = null;
  let last = { code: '', at: 0 };
  let busy = false;

  async function loadJsQr() {
    if (self.jsQR) return;
    await new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/assets/jsqr.js';
      s.onload = resolve;
      s.onerror = reject;
      document.head.append(s);
    });
  }

  async function makeDetector() {
    await loadJsQr();
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    return () => {
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (!w || !h) return null;
      const scale = Math.min(1, 640 / Math.max(w, h));
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      return self.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
    };
  }

  async function scanLoop() {
    if (!stream) return;
    if (!busy && video.readyState >= 2) {
      const code = detect();
      const now = Date.now();
      if (code && !(code === last.code && now - last.at < SAME_CODE_PAUSE_MS)) {
        busy = true;
        last = { code, at: now };
        try {
          await handle(code, 'scan');
        } finally {
          busy = false;
        }
      } else if (code) last.at = now;
    }
    loopTimer = setTimeout(scanLoop, 120);
  }

  async function startCamera() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      video.srcObject = stream;
      await video.play();
      detect = detect ?? (await makeDetector());
      $('door-camera').textContent = M.stop_camera;
      scanLoop();
    } catch {
      stopCamera();
      message(M.camera_unavailable);
    }
  }

  function stopCamera() {
    if (loopTimer) clearTimeout(loopTimer);
    loopTimer = null;
    stream?.getTracks().forEach((t) => t.stop());
    stream = null;
    if (video) video.srcObject = null;
    const b = $('door-camera');
    if (b) b.textContent = M.start_camera;
  }

  // ---- wiring ----
  (async () => {
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/door/sw.js', { scope: '/door/' }).catch(() => {});
    await load();
    if (!device?.token) {
      message(M.not_registered);
      document.body.dataset.state = 'not_registered';
      return;
    }
    $('door-main').hidden = false;
    renderCounts();
    renderStatus();
    $('door-code-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const input = $('door-code');
      if (!input.value.trim()) return;
      await handle(input.value, 'typed');
      input.value = '';
      input.focus();
    });
    $('door-search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      search($('door-q').value);
    });
    $('door-camera').addEventListener('click', () => (stream ? stopCamera() : startCamera()));
    $('door-sync-now').addEventListener('click', () => sync());
    $('door-sign-out').addEventListener('click', async () => {
      await sync();
      if (stopped) return;
      if (queue.length) {
        message(M.sign_out_pending);
        return;
      }
      try {
        const res = await api('POST', '/api/door/sign-out');
        if (!res) {
          message(M.sign_out_pending);
          return;
        }
      } catch (e) {
        if (e instanceof Stopped) return;
        throw e;
      }
      await wipe('signed_out');
    });
    addEventListener('online', () => {
      online = true;
      sync();
    });
    addEventListener('offline', () => setOnline(false));
    document.body.dataset.state = 'ready';
    await sync();
    document.body.dataset.synced = '1';
    setInterval(() => {
      if (!stopped && !document.hidden) sync();
    }, SYNC_EVERY_MS);
    setInterval(renderStatus, 1000);
  })();
}
