import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../services/deps.ts';
import authRoutes from './auth.ts';
import eventAdminRoutes from './events.ts';
import applicationAdminRoutes from './applications.ts';
import mailAdminRoutes from './mail.ts';
import exportAdminRoutes from './export.ts';
import selectionAdminRoutes from './selection.ts';
import userAdminRoutes from './users.ts';
import revealAdminRoutes from './reveal.ts';
import mailTextAdminRoutes from './mail-texts.ts';
import accountRoutes from './account.ts';
import guestAdminRoutes from './guests.ts';
import eventPreviewRoutes from './event-preview.ts';
import offerAdminRoutes from './offers.ts';
import passkeyRoutes from './passkeys.ts';
import messageAdminRoutes from './messages.ts';
import doorAdminRoutes from './door.ts';

/** Organizer area: everything under /admin requires a signed-in staff member with the right role. */
export default async function adminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  await app.register(authRoutes, opts);
  await app.register(eventAdminRoutes, opts);
  await app.register(applicationAdminRoutes, opts);
  await app.register(mailAdminRoutes, opts);
  await app.register(exportAdminRoutes, opts);
  await app.register(selectionAdminRoutes, opts);
  await app.register(userAdminRoutes, opts);
  await app.register(revealAdminRoutes, opts);
  await app.register(mailTextAdminRoutes, opts);
  await app.register(accountRoutes, opts);
  await app.register(guestAdminRoutes, opts);
  await app.register(eventPreviewRoutes, opts);
  await app.register(offerAdminRoutes, opts);
  await app.register(passkeyRoutes, opts);
  await app.register(messageAdminRoutes, opts);
  await app.register(doorAdminRoutes, opts);
}
