import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.ts';
import { findEventById } from '../../../db/repositories/events.ts';
import type { Deps } from '../../../services/deps.ts';
import { doorBoard, doorConflicts, listDoorDevices, revokeDoorDevice, setOfflineNames } from '../../../services/door.ts';
import { findDoorKey } from '../../../services/door-keys.ts';
import { formValues } from '../../form-input.ts';
import { pageContext, sendPage } from '../../page.ts';
import { requireEventPermission } from '../../plugins/auth.ts';
import { eventHeader } from '../../views/admin/event-tabs.ts';
import { doorBoardPage } from '../../views/door.ts';

/** The organizer's door (issue 15): live board, devices (revoke), conflict report, offline name search. */
export default async function doorAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const db = deps.database.db;
  const guard = requireEventPermission('manageEvents');

  async function requireEvent(id: string) {
    const event = await findEventById(db, id);
    if (!event) throw new AppError('event.not_found');
    return event;
  }

  app.get<{ Params: { id: string }; Querystring: { saved?: string } }>('/admin/events/:id/door', { preHandler: guard }, async (req, reply) => {
    const event = await requireEvent(req.params.id);
    const [board, devices, conflicts, key] = await Promise.all([doorBoard(db, event.id), listDoorDevices(db, event.id), doorConflicts(db, event.id), findDoorKey(db, event.id)]);
    const ctx = pageContext(req, reply);
    return sendPage(
      reply,
      ctx,
      req.t('door.board_title'),
      doorBoardPage(ctx, {
        header: eventHeader(req.t, req.locale, event, 'checkin', req.user!.role),
        eventId: event.id,
        timezone: event.timezone,
        board,
        devices,
        conflicts,
        offlineNames: key?.offlineNames ?? false,
        saved: req.query.saved === '1',
      }),
      { wide: true, scripts: ['/assets/door-board.js'] },
    );
  });

  app.post<{ Params: { id: string; deviceId: string } }>('/admin/events/:id/door/devices/:deviceId/revoke', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await requireEvent(req.params.id);
    await revokeDoorDevice(deps, req.user!.id, event.id, req.params.deviceId, 'revoked');
    return reply.redirect(`/admin/events/${event.id}/door?saved=1`, 303);
  });

  app.post<{ Params: { id: string } }>('/admin/events/:id/door/settings', { preHandler: [guard, app.csrfProtection] }, async (req, reply) => {
    const event = await requireEvent(req.params.id);
    await setOfflineNames(deps, req.user!.id, event.id, formValues(req.body).offline_names === 'yes');
    return reply.redirect(`/admin/events/${event.id}/door?saved=1`, 303);
  });
}
