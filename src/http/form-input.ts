import type { ApplicationInput } from '../domain/application.ts';

export type FormValues = Record<string, string>;

/**
 * Flat string values of an urlencoded body (a repeated key keeps its last value — except answers: the
 * checkboxes of a multiple-choice question send one answer_<id> per ticked option, joined here by commas).
 */
export function formValues(body: unknown): FormValues {
  const out: FormValues = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (Array.isArray(v) && k.startsWith('answer_')) {
      out[k] = v.filter((x): x is string => typeof x === 'string').join(',').slice(0, 10_000);
      continue;
    }
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof last === 'string') out[k] = last.slice(0, 10_000);
  }
  return out;
}

/** Form fields (guest_name_0, answer_why, …) → the API's application shape. */
export function applicationInputFromForm(v: FormValues): ApplicationInput {
  const guests: { name: string; relation: string }[] = [];
  for (let i = 0; i < 50; i++) {
    const name = v[`guest_name_${i}`];
    const relation = v[`guest_relation_${i}`];
    if (name === undefined && relation === undefined) continue;
    guests[i] = { name: name ?? '', relation: relation ?? '' };
  }
  const answers: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (k.startsWith('answer_')) answers[k.slice(7)] = val;
  return {
    name: v.name,
    email: v.email,
    country: v.country,
    locale: v.locale,
    guests: Array.from(guests, (g) => g ?? { name: '', relation: '' }),
    answers,
    consent: v.consent,
  };
}

/** The other way, to prefill the edit form from a stored application. */
export function formValuesFromApplication(app: {
  name: string;
  email: string;
  country: string;
  locale: string;
  guests: { name: string; relation: string }[];
  answers: Record<string, string>;
}): FormValues {
  const v: FormValues = { name: app.name, email: app.email, country: app.country, locale: app.locale };
  app.guests.forEach((g, i) => {
    v[`guest_name_${i}`] = g.name;
    v[`guest_relation_${i}`] = g.relation;
  });
  for (const [k, val] of Object.entries(app.answers)) v[`answer_${k}`] = val;
  return v;
}
