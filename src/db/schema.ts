import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types, declared once (Kysely habit). Portable column types on purpose:
 * timestamps are ISO-8601 UTC text (fixed width, so they sort correctly), booleans are 0/1
 * integers, structured values are JSON text. See docs/adr/0001-stack-and-storage.md.
 */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  role: 'owner' | 'admin' | 'reviewer' | 'door';
  created_at: string;
  disabled: number;
}

export interface UserSetupTokensTable {
  token_hash: string;
  user_id: string;
  expires_at: string;
  used_at: string | null;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  /** Migration 010: idle expiry (written at most once a minute) and the "your sessions" page. */
  last_seen_at: string | null;
  /** Migration 010: the browser's User-Agent at sign-in (truncated), shown only to its owner. */
  user_agent: string | null;
}

/** Per-event teams (migration 010): reviewers and door staff act only on the events they are on. */
export interface EventStaffTable {
  event_id: string;
  user_id: string;
  added_at: string;
  added_by: string;
}

/** One-time password reset links (migration 010); only the SHA-256 of the token is stored. */
export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** Two-factor sign-in (migration 010): one TOTP secret per staff member, confirmed with a first code. */
export interface StaffTotpTable {
  user_id: string;
  /** AES-256-GCM with a key derived from the server secret (src/platform/secret-box.ts). */
  secret_sealed: string;
  created_at: string;
  confirmed_at: string | null;
  /** The last 30-second step a code was accepted for: a code is never accepted twice. */
  last_step: Generated<number>;
}

export interface StaffRecoveryCodesTable {
  code_hash: string;
  user_id: string;
  created_at: string;
  used_at: string | null;
}

/** Passkeys (migration 010): WebAuthn credentials; the id is the credential id (base64url). */
export interface StaffPasskeysTable {
  id: string;
  user_id: string;
  /** COSE public key, base64url. */
  public_key: string;
  /** Signature counter (bigint on PostgreSQL: read with Number()). */
  counter: number | string;
  /** JSON string[] */
  transports: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** The owner's security policy (migration 010), e.g. require_2fa_admins = '1'. */
export interface SecuritySettingsTable {
  name: string;
  value: string;
  updated_at: string;
  updated_by: string;
}

export interface EventsTable {
  id: string;
  slug: string;
  status: 'draft' | 'open' | 'closed';
  timezone: string;
  starts_at: string | null;
  ends_at: string | null;
  venue_name: string | null;
  venue_address: string | null;
  applications_open_at: string | null;
  applications_close_at: string | null;
  capacity: number;
  max_party_size: number;
  /** JSON: string[] of ISO 3166-1 alpha-2 codes */
  preferred_countries: string;
  others_may_apply: number;
  /** JSON: Question[] */
  questions: string;
  /** JSON: Record<locale, { title, description, consent }> */
  content: string;
  default_locale: string;
  created_at: string;
  updated_at: string;
  confirm_hours: Generated<number>;
  retention_days: Generated<number>;
  /** Raised by a trigger on every update (migration 018): the public page cache's key (ADR 0012). */
  version: Generated<number>;
  venue_map_url: string | null;
  reveal_at: string | null;
  revealed_at: string | null;
  /** RFC 5545 SEQUENCE of the event's calendar entry: raised by every change of time or venue. */
  calendar_sequence: Generated<number>;
  /** Migration 012: a fixed confirm deadline (UTC ISO) for every offer; null = confirm_hours after the offer. */
  confirm_until: string | null;
  /** Migration 012: hours an invitee has to confirm; null = the event's default window. */
  invite_confirm_hours: number | null;
  /** Migration 012: display name and Reply-To of this event's mails (null = the instance's MAIL_FROM only). */
  mail_sender_name: string | null;
  mail_reply_to: string | null;
}

export interface ApplicationsTable {
  id: string;
  event_id: string;
  status: string;
  name: string;
  email: string;
  email_normalized: string;
  country: string;
  locale: string;
  party_size: number;
  /** JSON: Guest[] */
  guests: string;
  /** JSON: Record<questionId, string> */
  answers: string;
  consent_at: string;
  token_hash: string;
  verified: number;
  created_at: string;
  updated_at: string;
  verified_at: string | null;
  withdrawn_at: string | null;
  /** application | invite */
  kind: Generated<string>;
  /** Invites: vip | press | staff | partner | … */
  category: string | null;
  /** invite | review | draw | waitlist */
  offer_source: string | null;
  offer_expires_at: string | null;
  /** Seats held (party size at the offer; may shrink at confirmation, never grow). */
  seats: number | null;
  /** Pseudonymous id in the audit bundle (HMAC of the application id). */
  entry_id: string | null;
  /** 0-based position in the draw order. */
  draw_position: number | null;
  review_note: string | null;
  confirmed_at: string | null;
  erased_at: string | null;
  /** Folded name, guests' names and address, one per line (migration 011, src/domain/search.ts); null on rows written before. */
  search_text: Generated<string | null>;
  /** Folded applicant name: the list's sort by name. */
  sort_name: Generated<string>;
  /** Average of the reviewers' scores × 100 (0 = not scored yet), and how many scored. */
  review_score: Generated<number>;
  review_count: Generated<number>;
  /** Migration 012: when the "your offer expires in 24 h" reminder was enqueued for the current offer. */
  offer_reminded_at: string | null;
}

export interface ApplicationLinksTable {
  token_hash: string;
  application_id: string;
  created_at: string;
}

export interface OutboxTable {
  id: string;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  /**
   * Since migration 007 a mail may be stored by reference (src/mail/templates.ts): a registered template name,
   * its locale and its params (JSON), rendered at send time; subject and bodies are then ''. All three are
   * null for a pre-rendered mail. Read a stored mail with renderOutboxMail(row), never the bodies directly.
   */
  template: string | null;
  locale: string | null;
  /** JSON of the template's params; personal data (names, links): erased with the row. */
  params: string | null;
  /** JSON: { filename, contentType, content (base64) }[] */
  attachments: string | null;
  /** 'suppressed' (migration 019): not sent, the address is on the suppression list. */
  status: 'pending' | 'sent' | 'failed' | 'suppressed';
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  event_id: string | null;
  /** Migration 019: the organizer message (messages.id) this mail is one copy of. */
  message_id?: string | null;
  /** Migration 019: the application this mail is about (the message log per application). */
  application_id?: string | null;
  /** Migration 019: a delivery status notification reported a permanent failure. */
  bounced_at?: string | null;
}

/** Migration 019: a message from the organizer to a segment (services/messages.ts, ADR 0013). */
export interface MessagesTable {
  id: string;
  event_id: string;
  created_by: string;
  created_at: string;
  /** JSON: Segment (services/messages.ts) */
  segment: string;
  /** JSON: Record<locale, { subject, body }> */
  content: string;
  fallback_locale: string;
  send_at: string;
  /** scheduled → queued (every recipient's mail is in the outbox), or cancelled */
  status: 'scheduled' | 'queued' | 'cancelled';
  recipients: number | null;
  queued_at: string | null;
}

/** Migration 019: addresses not to mail; scope '' = every mail (hard bounce), an event id = that event's optional mails. */
export interface MailSuppressionsTable {
  email_normalized: string;
  scope: string;
  reason: 'bounce' | 'unsubscribe';
  detail: string | null;
  created_at: string;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actor: string;
  action: string;
  event_id: string | null;
  subject_id: string | null;
  /** JSON */
  data: string;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

export interface DrawsTable {
  id: string;
  event_id: string;
  status: 'committed' | 'frozen' | 'drawn';
  commitment: string;
  secret: string;
  committed_at: string;
  public_randomness_label: string | null;
  public_randomness_value: string | null;
  frozen_at: string | null;
  freeze_hash: string | null;
  freeze_record: string | null;
  bundle: string | null;
  result_hash: string | null;
  drawn_at: string | null;
  /** Held applications the organizer explicitly left out of the entry list at the freeze (migration 011). */
  held_excluded: number | null;
  /** Migration 017 (ADR 0011): 'drand' | 'unverified' for format admit-draw/2, null for /1. */
  randomness_kind: 'drand' | 'unverified' | null;
  beacon_chain: string | null;
  /** bigint: PostgreSQL returns it as a string. */
  beacon_round: number | string | null;
  /** JSON {seats, groups}: fixed at the commitment. */
  committed_parameters: string | null;
  /** JSON: applications left out of the entry list at the freeze, counted by reason. */
  exclusions: string | null;
}

export interface TicketsTable {
  id: string;
  event_id: string;
  application_id: string;
  /** 0 = the applicant, 1.. = guests in party order. */
  position: number;
  holder_name: string;
  token_hash: string;
  created_at: string;
  checked_in_at: string | null;
  checked_in_by: string | null;
  /** The client-made id of the scan that checked it in (migration 009): a retried scan is answered alike. */
  checked_in_scan: string | null;
  voided_at: string | null;
  /** Migration 012: the short typed code (src/domain/door-code.ts), unique per event. */
  door_code: string | null;
  /** Migration 020: a guest's own address (given when the party confirmed) and language; null = the applicant's mails. */
  holder_email: string | null;
  holder_locale: string | null;
  /** Migration 020: when the automatic reminder / thank-you went to this person (once each). */
  reminded_at: string | null;
  thanked_at: string | null;
}

/** Intake (migration 003, ADR 0004). */
export interface IdempotencyKeysTable {
  key_hash: string;
  request_hash: string;
  status_code: number;
  /** JSON */
  response: string;
  created_at: string;
  expires_at: string;
}

export interface IntakeKeysTable {
  event_id: string;
  /** p:|g:|e: + HMAC of the normalised name or address (pseudonymous). */
  key: string;
  application_id: string;
}

export interface ApplicationFlagsTable {
  application_id: string;
  /** suspicious_email (migration 015's era): the address mixes scripts, e.g. a Cyrillic letter in a Latin name. */
  kind: 'possible_duplicate' | 'same_household' | 'suspicious_email';
  event_id: string;
  related_id: string | null;
  reason: string;
  created_at: string;
}

export interface IntakeCountsTable {
  event_id: string;
  /** YYYY-MM-DD in the event's time zone */
  day: string;
  country: string;
  shard: number;
  received: number;
  people: number;
}

/**
 * Applications now, by event × status × email state × country (migration 006): kept exact by triggers on
 * `applications`; summed over shards (spread of concurrent PostgreSQL writers). Rows with n = 0 may stay.
 */
export interface ApplicationCountsTable {
  event_id: string;
  status: string;
  verified: number;
  country: string;
  shard: number;
  n: number;
  people: number;
}

/** Applications now by event × status × email state × party size (migration 013), kept like application_counts. */
export interface ApplicationPartyCountsTable {
  event_id: string;
  status: string;
  verified: number;
  party_size: number;
  shard: number;
  n: number;
}

/** Bearer tokens for the organizer API (migration 004); only the SHA-256 of a token is stored. */
export interface ApiTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** One reviewer's score (1–5) and note for one application (migration 011). */
export interface ApplicationScoresTable {
  application_id: string;
  reviewer_id: string;
  event_id: string;
  score: number;
  note: string | null;
  created_at: string;
  updated_at: string;
}

/** Per-event review settings (migration 011): blind review hides name, address and country from reviewers. */
export interface ReviewSettingsTable {
  event_id: string;
  blind: number;
  updated_at: string;
}

export interface DB {
  users: UsersTable;
  user_setup_tokens: UserSetupTokensTable;
  sessions: SessionsTable;
  events: EventsTable;
  applications: ApplicationsTable;
  application_links: ApplicationLinksTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  leases: LeasesTable;
  draws: DrawsTable;
  tickets: TicketsTable;
  idempotency_keys: IdempotencyKeysTable;
  intake_keys: IntakeKeysTable;
  application_flags: ApplicationFlagsTable;
  intake_counts: IntakeCountsTable;
  application_counts: ApplicationCountsTable;
  application_party_counts: ApplicationPartyCountsTable;
  api_tokens: ApiTokensTable;
  event_staff: EventStaffTable;
  password_resets: PasswordResetsTable;
  application_scores: ApplicationScoresTable;
  review_settings: ReviewSettingsTable;
  captcha_spent: CaptchaSpentTable;
  event_door_keys: EventDoorKeysTable;
  door_devices: DoorDevicesTable;
  door_scans: DoorScansTable;
  staff_totp: StaffTotpTable;
  staff_recovery_codes: StaffRecoveryCodesTable;
  staff_passkeys: StaffPasskeysTable;
  security_settings: SecuritySettingsTable;
  event_brands: EventBrandsTable;
  brand_images: BrandImagesTable;
  messages: MessagesTable;
  mail_suppressions: MailSuppressionsTable;
  ticket_links: TicketLinksTable;
  event_mail_texts: EventMailTextsTable;
  event_auto_mails: EventAutoMailsTable;
}

/** The brand's look of an event (migration 021): accent colour, cover and logo image sets, alt texts, embedding sites. */
export interface EventBrandsTable {
  event_id: string;
  accent_color: string | null;
  cover_set: string | null;
  logo_set: string | null;
  /** JSON: { cover?: Record<locale, string>, logo?: Record<locale, string> } */
  alt_text: string;
  /** JSON: string[] of origins ("https://brand.example") allowed to frame the form. */
  embed_origins: string;
  updated_at: string;
}

/** One rendition of an uploaded brand image (migration 021), addressed by the SHA-256 of its bytes. */
export interface BrandImagesTable {
  hash: string;
  set_id: string;
  event_id: string;
  kind: string;
  width: number;
  height: number;
  content_type: string;
  data: Buffer;
  created_at: string;
}

/** A guest's own capability link /t/<token> (migration 020), stored hashed. */
export interface TicketLinksTable {
  token_hash: string;
  ticket_id: string;
  created_at: string;
}

/** An organizer's wording of a built-in mail for one event and language (migration 020). */
export interface EventMailTextsTable {
  event_id: string;
  template: string;
  locale: string;
  subject: string;
  body: string;
  updated_at: string;
  updated_by: string;
}

/** Automatic mails switched on per event (migration 020): kind 'reminder' (hours before) or 'thanks' (hours after). */
export interface EventAutoMailsTable {
  event_id: string;
  kind: string;
  enabled: number;
  offset_hours: number;
  updated_at: string;
}

/** Solved captcha challenges (migration 015), shared by all instances; a row lives until its challenge expires. */
export interface CaptchaSpentTable {
  signature: string;
  expires_at: string;
}

export type EventRow = Selectable<EventsTable>;
export type ApplicationRow = Selectable<ApplicationsTable>;
export type NewApplication = Insertable<ApplicationsTable>;
export type ApplicationUpdate = Updateable<ApplicationsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type UserRow = Selectable<UsersTable>;
// Generated is re-exported for future auto-increment columns.
export type { Generated };

/** Migration 022 (issue 15): the event's ticket-signing key (Ed25519) and door settings. */
export interface EventDoorKeysTable {
  event_id: string;
  /** Raw 32-byte public key, base64url. */
  public_key: string;
  /** PKCS#8 private key sealed with the server secret (platform/secret-box.ts, purpose "door-key"). */
  private_key: string;
  /** 1: door devices may keep holder names for the offline name search. */
  offline_names: number;
  created_at: string;
}

/** Migration 022: a registered door device (phone). */
export interface DoorDevicesTable {
  id: string;
  event_id: string;
  name: string;
  door: string;
  token_hash: string;
  registered_by: string;
  created_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
  /** 'revoked' by an organizer or 'signed_out' by the device itself. */
  revoked_reason: string | null;
}

/** Migration 022: one scan reported by a door device. */
export interface DoorScansTable {
  id: string;
  event_id: string;
  device_id: string;
  /** The client's id of the scan: (device_id, scan_id) is unique, a resent queue is answered alike. */
  scan_id: string;
  ticket_id: string | null;
  via: string;
  /** admitted | already | conflict | refused */
  outcome: string;
  /** 1 when the device decided offline. */
  offline: number;
  /** Device time of the scan (clamped to the server's receipt). */
  scanned_at: string;
  received_at: string;
}
