import type { Db, Trx } from '../db/connect.ts';
import { keysToForget } from './keys.ts';

export interface ForgettableApplication {
  id: string;
  event_id: string;
  name: string;
  email: string;
  country: string;
  /** JSON text as stored */
  guests: string;
}

/**
 * Deletes the review lookup keys an application holds (src/intake/keys.ts; also those of earlier versions), recomputed from the row *before*
 * its personal data is deleted or overwritten, by primary key. Erasing a whole event's data can simply
 * `deleteFrom('intake_keys').where('event_id', '=', id)`. Flags go with their application (foreign key).
 */
export async function forgetIntakeKeys(trx: Db | Trx, secret: string, rows: ForgettableApplication[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const part = rows.slice(i, i + 200);
    for (const eventId of new Set(part.map((r) => r.event_id))) {
      const mine = part.filter((r) => r.event_id === eventId);
      const keys = [...new Set(mine.flatMap((r) => keysToForget(secret, { ...r, guests: JSON.parse(r.guests) })))];
      for (let k = 0; k < keys.length; k += 500) {
        await trx
          .deleteFrom('intake_keys')
          .where('event_id', '=', eventId)
          .where('key', 'in', keys.slice(k, k + 500))
          .where('application_id', 'in', mine.map((r) => r.id))
          .execute();
      }
    }
  }
}
