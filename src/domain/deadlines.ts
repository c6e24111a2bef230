import type { Event } from './event.ts';

/**
 * Confirm deadlines of offers, pure. An event has a default window — a number of hours after the offer, or
 * a fixed date and time (stored as UTC) — and invites may have a window of their own. An organizer may set
 * one offer's deadline by hand (at the invite, or later: "extend").
 */

export const HOUR_MS = 3_600_000;
/** The reminder goes this long before an offer expires. */
export const REMINDER_BEFORE_MS = 24 * HOUR_MS;
/** An offer whose whole window is this short gets no reminder: its own mail is fresh enough. */
export const NO_REMINDER_WITHIN_MS = 36 * HOUR_MS;
export const MAX_CONFIRM_HOURS = 24 * 60;

export type DeadlineRules = Pick<Event, 'confirmHours' | 'confirmUntil' | 'inviteConfirmHours'>;

/**
 * When an offer made `now` expires:
 * 1. the organizer's own deadline for this offer (`override`), when given;
 * 2. invites: the event's invite window, when it has one;
 * 3. the event's fixed date, while it is still ahead — an offer made after it (say, a late waitlist
 *    promotion) falls back to the window in hours rather than expiring the moment it is made;
 * 4. `confirmHours` after the offer.
 */
export function offerDeadline(rules: DeadlineRules, source: string, now: Date, override?: string | null): string {
  if (override) return override;
  if (source === 'invite' && rules.inviteConfirmHours) return new Date(now.getTime() + rules.inviteConfirmHours * HOUR_MS).toISOString();
  if (rules.confirmUntil && rules.confirmUntil > now.toISOString()) return rules.confirmUntil;
  return new Date(now.getTime() + rules.confirmHours * HOUR_MS).toISOString();
}

/** A new offer is reminded 24 h before its deadline unless its whole window is short (then: marked as reminded). */
export const needsReminder = (expiresAt: string, now: Date): boolean => Date.parse(expiresAt) - now.getTime() > NO_REMINDER_WITHIN_MS;
