// Inside the embedded form's frame: tell the embedding page how tall the content is, so its iframe fits without a
// scroll bar. Posted only to the parent's origin, and only when that origin is one the organizer allowed (the server
// puts it in data-parent after checking the list; Chromium and Safari also name it in location.ancestorOrigins).
const holder = document.querySelector('[data-parent]');
const allowed = holder ? holder.dataset.parent : null;
const actual = location.ancestorOrigins && location.ancestorOrigins.length ? location.ancestorOrigins[0] : allowed;
if (window.parent !== window && allowed && actual === allowed) {
  let last = 0;
  const send = () => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'admit:height', height }, allowed);
  };
  new ResizeObserver(send).observe(document.documentElement);
  send();
  // After a post with errors the page is new: bring the error summary into the parent's view.
  const summary = document.getElementById('error-summary');
  if (summary) window.parent.postMessage({ type: 'admit:scroll' }, allowed);
}
