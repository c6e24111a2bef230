import type { Kysely } from 'kysely';
import * as m001 from './001-initial.ts';
import * as m002 from './002-selection.ts';
import * as m003 from './003-intake.ts';
import * as m004 from './004-api-tokens.ts';
import * as m005 from './005-count-indexes.ts';
import * as m006 from './006-application-counts.ts';
import * as m008 from './008-outbox-address-index.ts';
import * as m009 from './009-checkin-scan.ts';
import * as m007 from './007-mail-templates.ts';
import * as m010 from './010-staff-security.ts';
import * as m014 from './014-applicant.ts';
import * as m013 from './013-event-home.ts';
import * as m011 from './011-review.ts';
import * as m012 from './012-editor-deadlines-door-codes.ts';
import * as m015 from './015-security.ts';
import * as m021 from './021-brand.ts';
import * as m017 from './017-draw-beacon.ts';
import * as m018 from './018-page-cache.ts';
import * as m019 from './019-messages.ts';
import * as m020 from './020-tickets-mail-texts.ts';
import * as m022 from './022-door-devices.ts';
import * as m023 from './023-intake-keys.ts';

export interface Migration {
  up(db: Kysely<any>): Promise<void>;
  down?(db: Kysely<any>): Promise<void>;
}

/**
 * Migrations in the order they run. Listed here (not read from disk) so they work the same under tsx and
 * in bundles. Names are recorded in the migration table; never rename or reorder one that has shipped.
 */
export const migrations: ReadonlyArray<readonly [name: string, migration: Migration]> = [
  ['001-initial', m001],
  ['002-selection', m002],
  ['003-intake', m003],
  ['004-api-tokens', m004],
  ['005-count-indexes', m005],
  ['006-application-counts', m006],
  ['007-mail-templates', m007],
  ['008-outbox-address-index', m008],
  ['009-checkin-scan', m009],
  ['010-staff-security', m010],
  ['011-review', m011],
  ['012-editor-deadlines-door-codes', m012],
  ['013-event-home', m013],
  ['014-applicant', m014],
  ['015-security', m015],
  ['017-draw-beacon', m017],
  ['018-page-cache', m018],
  ['019-messages', m019],
  ['020-tickets-mail-texts', m020],
  ['021-brand', m021],
  ['022-door-devices', m022],
  ['023-intake-keys', m023],
];
