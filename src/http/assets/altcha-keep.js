// A solved proof of work stays solved. The ALTCHA widget treats unticking its box as "start over": a Space
// press or a click on the ticked box would throw the proof away and make the applicant wait again. While the
// widget is verified, the activation of its checkbox is cancelled (a cancelled click neither toggles the box
// nor fires "change"), so the box stays ticked and the proof stays in the form. An expired proof (state
// "expired") can still be restarted as before.
document.addEventListener(
  'click',
  (ev) => {
    const box = ev.target;
    if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
    const widget = box.closest('.altcha');
    if (widget && widget.getAttribute('data-state') === 'verified') ev.preventDefault();
  },
  true,
);
