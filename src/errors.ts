/**
 * One catalogue of coded domain errors (Fastify's FST_ERR_* idea, pretix's CheckInError).
 * Services throw AppError with a stable code; the HTTP layer maps code → status and
 * localized message in exactly one place (src/http/plugins/errors.ts).
 */
export const ERROR_STATUS = {
  'validation.failed': 422,
  /** The body could not be parsed (malformed JSON, a broken form encoding). */
  'request.malformed': 400,
  /** The body is over the limit. */
  'request.too_large': 413,
  'event.not_found': 404,
  'event.not_open': 409,
  'event.closed': 410,
  'event.invalid': 422,
  'application.not_found': 404,
  'application.not_editable': 409,
  'application.withdrawn': 409,
  'auth.invalid_credentials': 401,
  'auth.required': 401,
  'auth.forbidden': 403,
  'csrf.invalid': 403,
  'captcha.failed': 422,
  'rate.limited': 429,
  'service.unavailable': 503,
  'idempotency.mismatch': 422,
  'not_found': 404,
  'offer.expired': 409,
  'offer.not_offered': 409,
  'offer.cannot_grow': 422,
  'ticket.not_found': 404,
  'ticket.already_used': 409,
  'ticket.not_valid': 409,
  'ticket.bad_check': 422,
  /** A door device whose token was revoked (or signed out, or whose staff member lost the door): it wipes its data. */
  'door.device_revoked': 401,
  'reveal.incomplete': 422,
  'draw.not_committed': 409,
  'draw.already_committed': 409,
  'draw.not_frozen': 409,
  'draw.already_frozen': 409,
  'draw.already_drawn': 409,
  'draw.intake_open': 409,
  'draw.frozen': 409,
  'draw.invalid': 422,
  'draw.randomness_required': 422,
  'draw.parameters_fixed': 409,
  'draw.round_passed': 409,
  'draw.seats_changed': 409,
  'draw.beacon_invalid': 422,
  'selection.no_seats': 409,
  'review.not_allowed': 409,
  /** Applications on hold would silently miss the draw: resolve them, or exclude them explicitly. */
  'draw.held_pending': 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  code: string;
  params?: Record<string, string | number>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldError[];
  readonly details: Record<string, unknown>;
  constructor(code: ErrorCode, opts: { fields?: FieldError[]; details?: Record<string, unknown>; message?: string } = {}) {
    super(opts.message ?? code);
    this.code = code;
    this.fields = opts.fields ?? [];
    this.details = opts.details ?? {};
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
