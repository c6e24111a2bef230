// Passkeys: register one (account page) and sign in with one (login page). Same-origin module, no inline script;
// the WebAuthn ceremony is @simplewebauthn/browser (served as /assets/simplewebauthn-browser.js).
import './simplewebauthn-browser.js';

const { startRegistration, startAuthentication, browserSupportsWebAuthn } = globalThis.SimpleWebAuthnBrowser;

async function postJSON(url, csrf, body) {
  const res = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body ?? {}),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data?.error?.message || String(res.status));
  return data;
}

function say(button, text) {
  const out = document.getElementById(button.dataset.status);
  if (out) out.textContent = text;
}

const add = document.getElementById('passkey-add');
if (add) {
  if (!browserSupportsWebAuthn()) {
    add.disabled = true;
    say(add, add.dataset.unsupported);
  } else {
    add.addEventListener('click', async () => {
      add.disabled = true;
      say(add, add.dataset.working);
      try {
        const optionsJSON = await postJSON('/admin/account/passkeys/options', add.dataset.csrf);
        const response = await startRegistration({ optionsJSON });
        const name = document.getElementById('f-passkey_name');
        await postJSON('/admin/account/passkeys', add.dataset.csrf, { response, name: name ? name.value : '' });
        location.assign('/admin/account/passkeys?added=1');
      } catch {
        say(add, add.dataset.failed);
        add.disabled = false;
      }
    });
  }
}

const login = document.getElementById('passkey-login');
if (login && browserSupportsWebAuthn()) {
  login.hidden = false;
  login.addEventListener('click', async () => {
    login.disabled = true;
    say(login, login.dataset.working);
    try {
      const optionsJSON = await postJSON('/login/passkey/options', login.dataset.csrf);
      const response = await startAuthentication({ optionsJSON });
      const done = await postJSON('/login/passkey', login.dataset.csrf, { response, next: login.dataset.next });
      location.assign(done.redirect);
    } catch {
      say(login, login.dataset.failed);
      login.disabled = false;
    }
  });
}
