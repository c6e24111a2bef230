// Progressive enhancement of the event editor. Everything works without it: the country filter is then a form
// post ("Show matching countries"), and an empty address is made from the title on the server.
const form = document.getElementById('event-form');
const norm = (s) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();

// Countries (the event form's preferred countries, a message's segment): filter the list as one types; Enter moves
// to the first match instead of submitting the form.
const picker = document.querySelector('fieldset.countries');
if (picker) {
  const filter = document.getElementById('f-country_filter');
  const list = picker.querySelector('.country-list');
  const count = document.getElementById('country-count');
  if (filter && list) {
    for (const b of (form ?? picker).querySelectorAll('.js-hide')) b.hidden = true;
    const apply = () => {
      const q = norm(filter.value);
      let n = 0;
      for (const el of list.querySelectorAll('.country-option')) {
        const show = !q || el.dataset.name.includes(q) || el.dataset.code === q;
        el.hidden = !show;
        if (show) n++;
      }
      if (count && count.dataset.template) count.textContent = count.dataset.template.replace('{n}', String(n));
    };
    filter.addEventListener('input', apply);
    filter.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      list.querySelector('.country-option:not([hidden]) input')?.focus();
    });
  }
}

if (form) {
  // Address: suggested from the title of the default language while the field is empty or still the suggestion.
  const slug = document.getElementById('f-slug');
  const locale = document.getElementById('f-defaultLocale');
  const slugify = (s) =>
    norm(s)
      .replace(/ß/g, 'ss')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64)
      .replace(/-+$/, '');
  if (slug && locale) {
    let suggested = slug.value === '';
    slug.addEventListener('input', () => {
      suggested = slug.value === '';
    });
    form.addEventListener('input', (e) => {
      const title = document.getElementById(`f-content_${locale.value}_title`);
      if (!suggested || e.target !== title) return;
      slug.value = slugify(title.value);
    });
  }
}

// Languages: ticking a language shows its text blocks (and its question labels) at once.
if (form) {
  const boxes = form.querySelectorAll('input[name="languages"]');
  const defaultLocale = document.getElementById('f-defaultLocale');
  const sync = () => {
    const on = new Set([...boxes].filter((b) => b.checked).map((b) => b.value));
    if (defaultLocale) on.add(defaultLocale.value);
    for (const el of form.querySelectorAll('[data-lang]')) el.hidden = !on.has(el.dataset.lang);
  };
  for (const b of boxes) b.addEventListener('change', sync);
  defaultLocale?.addEventListener('change', sync);
}
