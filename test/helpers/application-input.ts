import type { ApplicationInput } from '../../src/domain/application.ts';

/** A valid application for the test events (makeEvent): Ada Lovelace from the US with one guest; override any field. */
export const applicationInput = (email: string, over: Partial<ApplicationInput> = {}): ApplicationInput => ({
  name: 'Ada Lovelace',
  email,
  country: 'US',
  locale: 'en',
  consent: true,
  answers: { why: 'Engines' },
  guests: [{ name: 'Charles Babbage', relation: 'friend' }],
  ...over,
});
