import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import { countryName } from '../../../domain/countries.ts';
import { contentFor } from '../../../domain/event.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { countGuestLists, DEFAULT_SORT, GUEST_LISTS, GUEST_SORTS, type GuestList, type GuestSort, listGuests } from '../../../services/guest-lists.ts';
import { CSV_BOM, csvRow } from '../../csv.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { stateLabel } from '../../views/admin/applications.ts';
import { guestsBody, LIST_COLUMNS, sourceLabel } from '../../views/admin/guests.ts';
import { exportDateFormat } from './export.ts';

const PAGE = 100;
const CSV_CHUNK = 2000;

interface GuestsQuery {
  list?: string;
  sort?: string;
  q?: string;
  offset?: string;
}

function parse(q: GuestsQuery): { list: GuestList; sort: GuestSort; q: string; offset: number } {
  const list = GUEST_LISTS.find((l) => l === q.list) ?? 'selected';
  // The waitlist can hold nearly every application: only its draw order is an index walk, so it is its only order.
  const sort = list === 'waitlist' ? 'position' : (GUEST_SORTS.find((s) => s === q.sort) ?? DEFAULT_SORT[list]);
  const offset = Math.max(0, Math.floor(Number(q.offset) || 0));
  return { list, sort, q: typeof q.q === 'string' ? q.q.trim().slice(0, 200) : '', offset };
}

/** The Guests tab: the outcome lists after the draw, each filterable, sortable and exportable as CSV. */
export default async function guestAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const db = deps.database.db;

  app.get<{ Params: { id: string }; Querystring: GuestsQuery }>(
    '/admin/events/:id/guests',
    { preHandler: requireEventPermission('reviewApplications') },
    async (req, reply) => {
      const event = await findEventById(db, req.params.id);
      if (!event) throw new AppError('event.not_found');
      const p = parse(req.query);
      const [counts, rows] = await Promise.all([
        countGuestLists(db, event.id),
        listGuests(db, { eventId: event.id, list: p.list, sort: p.sort, q: p.q || undefined, limit: PAGE, offset: p.offset }),
      ]);
      const ctx = pageContext(req, reply);
      const body = guestsBody({
        t: req.t,
        locale: req.locale,
        role: req.user!.role,
        event,
        ...p,
        counts,
        rows,
        pageSize: PAGE,
        ranked: p.list === 'waitlist' && p.sort === 'position' && !p.q,
      });
      return sendPage(reply, ctx, `${req.t('guests.title')}: ${req.t(`guests.list_${p.list}`)} · ${contentFor(event, req.locale).title}`, body, { wide: true });
    },
  );

  app.get<{ Params: { id: string }; Querystring: GuestsQuery }>(
    '/admin/events/:id/guests.csv',
    { preHandler: requireEventPermission('reviewApplications') },
    async (req, reply) => {
      const event = await findEventById(db, req.params.id);
      if (!event) throw new AppError('event.not_found');
      const { t, locale } = req;
      const p = parse(req.query);
      const cols = LIST_COLUMNS[p.list];
      const ranked = p.list === 'waitlist' && p.sort === 'position' && !p.q;
      const date = exportDateFormat(locale, event.timezone);
      const header = [
        t('export.id'),
        t('export.name'),
        t('export.email'),
        t('export.country'),
        t('export.seats'),
        t('export.status'),
        ...cols.map((c) => (c === 'position' && ranked ? t('guests.col_waitlist_position') : t(`guests.col_${c}`))),
      ];
      async function* lines(): AsyncGenerator<string> {
        yield CSV_BOM + csvRow(header);
        for (let offset = 0; ; offset += CSV_CHUNK) {
          const rows = await listGuests(db, { eventId: event!.id, list: p.list, sort: p.sort, q: p.q || undefined, limit: CSV_CHUNK, offset });
          let out = '';
          rows.forEach((r, i) => {
            out += csvRow([
              r.id,
              r.name,
              r.email,
              countryName(r.country, locale),
              r.seats ?? r.partySize,
              stateLabel(t, r.status, true),
              ...cols.map((c) => {
                if (c === 'position') return ranked ? offset + i + 1 : r.drawPosition === null ? '' : r.drawPosition + 1;
                if (c === 'deadline') return date(r.offerExpiresAt);
                if (c === 'confirmed') return date(r.confirmedAt);
                if (c === 'checked_in') return r.checkedIn;
                if (c === 'source') return sourceLabel(t, r.offerSource);
                return r.category ? t(`selection.category_${r.category}`) : '';
              }),
            ]);
          });
          if (out) yield out;
          if (rows.length < CSV_CHUNK) return;
        }
      }
      reply
        .type('text/csv; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .header('Content-Disposition', `attachment; filename="${event.slug}-${p.list.replace('_', '-')}.csv"`);
      return reply.send(Readable.from(lines()));
    },
  );
}
