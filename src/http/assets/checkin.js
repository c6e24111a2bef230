// Door scanner: the phone camera reads ticket QR codes and posts them to /checkin/:event/scan.
// BarcodeDetector where the browser has it (Android Chrome, macOS), else jsQR (loaded only then).
// Without JavaScript, or without a camera, the page's forms (type a code, search a name) still work.
const root = document.getElementById('checkin');
const scanner = document.getElementById('scanner');
const video = document.getElementById('scanner-video');
const toggle = document.getElementById('scanner-toggle');
const msg = document.getElementById('scanner-msg');
const result = document.getElementById('checkin-result');
const codeForm = document.getElementById('code-form');

const SAME_CODE_PAUSE_MS = 3000;
const RESULT_PAUSE_MS = 1200;

let stream = null;
let detect = null;
let busy = false;
let last = { code: '', at: 0 };
let timer = null;

function showResult(r) {
  result.hidden = false;
  // Restart the flash even when the same answer comes twice, so the door sees that a new scan was read.
  result.className = 'checkin-result';
  void result.offsetWidth;
  result.className = `checkin-result flash ${r.ok ? 'result-ok' : 'result-bad'}`;
  result.replaceChildren();
  const title = document.createElement('p');
  title.className = 'result-title';
  title.textContent = r.title;
  result.append(title);
  if (r.detail) {
    const detail = document.createElement('p');
    detail.className = 'result-detail';
    detail.textContent = r.detail;
    result.append(detail);
  }
  if (navigator.vibrate) navigator.vibrate(r.ok ? 80 : [80, 60, 80, 60, 200]);
}

function showCounts(c) {
  if (!c) return;
  document.getElementById('count-arrived').textContent = String(c.arrived);
  document.getElementById('count-expected').textContent = String(c.expected);
}

/** An id for one scan (crypto.getRandomValues works without a secure context too). */
function newScanId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Posts one scan. When the network fails, the same scan (same id) is sent again up to three times: if the
 * first attempt did check the ticket in and only its answer was lost, the server answers "admitted" again.
 */
async function submitCode(code) {
  const body = JSON.stringify({ code, scan: newScanId() });
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(root.dataset.scanUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': root.dataset.csrf, accept: 'application/json' },
        credentials: 'same-origin',
        body,
      });
      const answer = await res.json();
      showResult(answer);
      showCounts(answer.counts);
      return;
    } catch {
      if (attempt >= 3) {
        showResult({ ok: false, title: root.dataset.msgError, detail: '' });
        return;
      }
      await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));
    }
  }
}

async function makeDetector() {
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const d = new window.BarcodeDetector({ formats: ['qr_code'] });
        return async () => (await d.detect(video))[0]?.rawValue ?? null;
      }
    } catch {
      /* fall through to jsQR */
    }
  }
  await import('/assets/jsqr.js');
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return async () => {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) return null;
    // Downscale: QR codes held up to a phone are large; 640 px keeps decoding fast on slow phones.
    const scale = Math.min(1, 640 / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return self.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
  };
}

async function loop() {
  if (!stream) return;
  if (!busy && video.readyState >= 2) {
    try {
      const code = await detect();
      const now = Date.now();
      if (code && !(code === last.code && now - last.at < SAME_CODE_PAUSE_MS)) {
        busy = true;
        last = { code, at: now };
        await submitCode(code);
        await new Promise((r) => setTimeout(r, RESULT_PAUSE_MS));
        busy = false;
      } else if (code) {
        last.at = now;
      }
    } catch {
      busy = false;
    }
  }
  timer = setTimeout(loop, 150);
}

async function start() {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    video.srcObject = stream;
    await video.play();
    detect = detect ?? (await makeDetector());
    toggle.textContent = root.dataset.msgStop;
    msg.textContent = root.dataset.msgHint;
    scanner.classList.add('active');
    loop();
  } catch {
    stop();
    msg.textContent = root.dataset.msgUnavailable;
  }
}

function stop() {
  if (timer) clearTimeout(timer);
  timer = null;
  stream?.getTracks().forEach((t) => t.stop());
  stream = null;
  video.srcObject = null;
  scanner.classList.remove('active');
  toggle.textContent = root.dataset.msgStart;
}

if (root && navigator.mediaDevices?.getUserMedia) {
  scanner.hidden = false;
  toggle.addEventListener('click', () => (stream ? stop() : start()));
  document.addEventListener('visibilitychange', () => {
    if (document.hidden && stream) stop();
  });
}

// A typed code is checked without reloading the page (the camera keeps running).
if (root && codeForm) {
  codeForm.addEventListener('submit', (e) => {
    const input = codeForm.querySelector('input[name=code]');
    if (!input.value.trim()) return;
    e.preventDefault();
    submitCode(input.value.trim()).then(() => {
      input.value = '';
      input.focus();
    });
  });
}

// Live counts: other doors check people in too.
if (root) {
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const res = await fetch(root.dataset.countsUrl, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (res.ok) showCounts(await res.json());
    } catch {
      /* offline for a moment: keep the last counts */
    }
  }, 10_000);
}
