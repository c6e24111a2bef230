import { hashToken } from '../../src/platform/random.ts';
import type { TestContext } from '../helpers/context.ts';
import { renderOutboxMail } from '../../src/mail/templates.ts';

/**
 * Verified applications written straight into the table (the applicant journey has its own
 * tests): `n` parties, a deterministic mix of countries (every third from the preferred US) and
 * party sizes 1..4. Returns their ids in insertion order.
 */
export async function seedVerifiedApplications(c: TestContext, eventId: string, n: number, prefix = 'p'): Promise<string[]> {
  const now = c.clock.now().toISOString();
  const rows = Array.from({ length: n }, (_, i) => {
    const id = `${prefix}${String(i).padStart(6, '0')}`;
    const party = 1 + ((i * 7) % 4);
    return {
      id,
      event_id: eventId,
      status: 'submitted',
      name: `Applicant ${i}`,
      email: `${prefix}${i}@example.com`,
      email_normalized: `${prefix}${i}@example.com`,
      country: i % 3 === 0 ? 'US' : i % 3 === 1 ? 'DE' : 'FR',
      locale: i % 2 ? 'de' : 'en',
      party_size: party,
      guests: JSON.stringify(Array.from({ length: party - 1 }, (_, g) => ({ name: `Guest ${g + 1}`, relation: 'friend' }))),
      answers: '{}',
      consent_at: now,
      token_hash: hashToken(`${eventId}:${id}`),
      verified: 1,
      created_at: now,
      updated_at: now,
      verified_at: now,
      withdrawn_at: null,
    };
  });
  for (let i = 0; i < rows.length; i += 500) await c.db.db.insertInto('applications').values(rows.slice(i, i + 500)).execute();
  return rows.map((r) => r.id);
}

/** The status-page token of the latest mail to an address (tokens only ever travel by mail). */
export async function tokenFromMail(c: TestContext, to: string): Promise<string> {
  const rows = await c.db.db.selectFrom('outbox').selectAll().where('to_address', '=', to).orderBy('id', 'desc').execute();
  const m = rows[0] && renderOutboxMail(rows[0]).text.match(/\/a\/([A-Za-z0-9_-]+)/);
  if (!m) throw new Error(`no link in mail to ${to}`);
  return m[1];
}

export const closeAt = (c: TestContext) => c.clock.advance(31 * 24 * 3_600_000);
