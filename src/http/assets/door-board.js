// The organizer's live door board: the counts and charts are re-read every five seconds (the page itself works
// without this script; it is then as fresh as its last load).
const live = document.getElementById('door-board-live');
if (live) {
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const res = await fetch(location.pathname, { credentials: 'same-origin' });
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const fresh = doc.getElementById('door-board-live');
      if (fresh) live.replaceChildren(...fresh.childNodes);
    } catch {
      /* offline for a moment: keep what is shown */
    }
  }, 5000);
}
