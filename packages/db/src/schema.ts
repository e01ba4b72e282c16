import type { Generated } from 'kysely';

/**
 * Table types as Kysely sees them. Conventions shared by both dialects (docs/adr/0004):
 * times are ISO-8601 UTC text; JSON is text written with canonical key order; booleans are written as 0/1 and read
 * through `readBool`, since SQLite returns integers and PostgreSQL booleans.
 */
export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  kind: string;
  demo: number | boolean;
  profile: string;
  created_at: string;
  updated_at: string;
}

export interface AuditEntriesTable {
  organization_id: string;
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string | null;
  source: string | null;
  outcome: string;
  details: string;
  prev_hash: string;
  hash: string;
  mac: string;
}

export interface AuditHeadsTable {
  organization_id: string;
  seq: number;
  hash: string;
}

export interface RegisterRecordsTable {
  organization_id: string;
  register: string;
  id: string;
  name: string;
  owner: string;
  notes: string | null;
  data: string;
  revision: number;
  created_at: string;
  updated_at: string;
}

export interface EvidenceTable {
  organization_id: string;
  id: string;
  sha256: string;
  filename: string;
  content_type: string;
  size: number;
  description: string | null;
  effective_date: string | null;
  expires_on: string | null;
  collected_by: string;
  created_at: string;
}

export interface EvidenceLinksTable {
  organization_id: string;
  evidence_id: string;
  target_type: string;
  target_id: string;
  created_at: string;
}

export interface EvidenceBlobsTable {
  sha256: string;
  size: number;
  content: Buffer;
}

export interface EvaluationRunsTable {
  organization_id: string;
  id: string;
  started_at: string;
  finished_at: string;
  trigger: string;
  catalog_version: string;
  score: number;
  summary: string;
}

export interface EvaluationResultsTable {
  organization_id: string;
  run_id: string;
  requirement_id: string;
  record_type: string;
  record_id: string;
  record_name: string | null;
  status: string;
  reason: string;
  due_date: string | null;
}

export interface FindingsTable {
  organization_id: string;
  id: string;
  requirement_id: string;
  record_type: string;
  record_id: string;
  record_name: string | null;
  status: string;
  severity: string;
  reason: string;
  result_status: string;
  owner: string;
  assignee: string | null;
  due_date: string;
  accepted_by: string | null;
  accepted_reason: string | null;
  accepted_until: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  first_seen_at: string;
  last_seen_at: string;
  revision: number;
  updated_at: string;
}

export interface FindingEventsTable {
  organization_id: string;
  finding_id: string;
  at: string;
  actor: string;
  event: string;
  details: string;
}

export interface AttestationsTable {
  organization_id: string;
  id: string;
  node_id: string;
  answer: string;
  statement: string;
  evidence_ids: string;
  attested_by: string;
  attested_at: string;
  expires_on: string;
}

// The e-trading identity gateway (migration 2026_11_28_0300_create_identity).
export interface ClientAccountsTable {
  id: string;
  organization_id: string;
  identifier: string;
  failed_attempts: number;
  locked_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClientCredentialsTable {
  id: string;
  account_id: string;
  kind: string;
  phc: string;
  created_at: string;
  retired_at: string | null;
}

export interface ClientTotpDevicesTable {
  id: string;
  account_id: string;
  label: string;
  sealed_seed: string;
  last_step: number | null;
  created_at: string;
}

export interface ClientDeviceKeysTable {
  id: string;
  account_id: string;
  label: string;
  public_key: string;
  biometric_gated: number | boolean;
  authenticator_type: string;
  created_at: string;
}

export interface LoginChallengesTable {
  id: string;
  purpose: string;
  organization_id: string | null;
  identifier: string;
  account_id: string | null;
  session_id: string | null;
  nonce: string;
  satisfied: string;
  used_credentials: string;
  created_at: string;
  expires_at: string;
}

export interface ClientSessionsTable {
  id: string;
  account_id: string;
  organization_id: string;
  token_hash: string;
  authenticated_at: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  // Migration 2026_12_07_0300_create_orders: the sealed order MAC key and the last accepted serial (A35.2, A35.4).
  order_mac_key: string | null;
  last_order_serial: number | string | null;
}

export interface LoginAttemptsTable {
  id: string;
  at: string;
  organization_id: string | null;
  identifier: string;
  account_id: string | null;
  source: string | null;
  purpose: string;
  factor_kind: string;
  outcome: string;
}

// Collector runs (migration 2026_11_28_0400_create_collector_runs).
export interface CollectorRunsTable {
  organization_id: string;
  id: string;
  kind: string;
  target: string;
  status: string;
  started_at: string;
  finished_at: string;
  raw_sha256: string;
  evidence_id: string | null;
  actor: string;
  summary: string;
  error: string | null;
}

// Notifications (migration 2026_11_28_0500_create_notifications).
export interface NotificationChannelsTable {
  organization_id: string;
  account_id: string;
  channel: string;
  recipient: string;
  created_at: string;
  updated_at: string;
}

export interface NotificationsOutboxTable {
  organization_id: string;
  id: string;
  account_id: string;
  channel: string;
  recipient: string;
  kind: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  claim_token: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface NotificationDeliveriesTable {
  organization_id: string;
  notification_id: string;
  attempt: number;
  at: string;
  outcome: string;
  error: string | null;
}

// Daily failed-login analysis (migration 2026_11_28_0510_create_monitoring_reports).
export interface MonitoringReportsTable {
  organization_id: string;
  id: string;
  date: string;
  generated_at: string;
  summary: string;
  sha256: string;
}

// Jobs run once per period across instances (migration 2026_12_07_0100_create_scheduled_jobs).
export interface ScheduledJobsTable {
  job: string;
  done_period: string | null;
  done_at: string | null;
  holder: string | null;
  lease_until: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

export interface ConsoleUsersTable {
  id: string;
  email: string;
  display_name: string;
  role: string;
  locale: string;
  owner_names: string;
  organization_ids: string;
  password_hash: string | null;
  password_changed_at: string | null;
  totp_sealed_seed: string | null;
  totp_pending_seed: string | null;
  totp_last_step: number | null;
  failed_attempts: Generated<number>;
  locked_at: string | null;
  disabled: number | boolean;
  created_at: string;
  updated_at: string;
}

export interface ConsoleSessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  stage: string;
  created_at: string;
  last_seen_at: string;
  idle_expires_at: string;
  expires_at: string;
}

export interface ConsoleLinksTable {
  token_hash: string;
  kind: string;
  user_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

// Signed orders (migration 2026_12_07_0300_create_orders).
export interface ApprovedCasTable {
  id: string;
  organization_id: string;
  name: string;
  certificate: Buffer;
  fingerprint: string;
  subject: string;
  not_after: string;
  crl_urls: string;
  ocsp_url: string | null;
  unknown_revocation: string;
  added_by: string;
  added_at: string;
  removed_by: string | null;
  removed_at: string | null;
}

export interface ClientCertificatesTable {
  id: string;
  organization_id: string;
  account_id: string;
  label: string;
  certificate: Buffer;
  fingerprint: string;
  subject: string;
  issuer: string;
  serial_number: string;
  not_after: string;
  approved_ca_id: string;
  enrolled_by: string;
  enrolled_at: string;
  revoked_by: string | null;
  revoked_at: string | null;
}

export interface OrderEvidenceTable {
  organization_id: string;
  seq: number;
  order_id: string;
  account_id: string;
  session_id: string;
  /** bigint: PostgreSQL returns it as text. */
  serial: number | string;
  nonce: string;
  canonical_bytes: Buffer;
  signature_format: string;
  signature_value: string;
  signer_certificate: Buffer;
  signer_fingerprint: string;
  verification: string;
  accepted_at: string;
  prev_hash: string;
  hash: string;
}

export interface OrderEvidenceHeadsTable {
  organization_id: string;
  seq: number;
  hash: string;
}

// WebAuthn credentials and ceremonies (migration 2026_12_07_0400_create_webauthn).
export interface WebauthnCredentialsTable {
  id: string;
  subject_kind: string;
  subject_id: string;
  credential_id: string;
  public_key: string;
  /** bigint: a string on PostgreSQL. */
  sign_counter: number | string;
  aaguid: string;
  transports: string;
  backup_eligible: number | boolean;
  label: string;
  created_at: string;
  last_used_at: string | null;
  suspended_at: string | null;
  suspended_reason: string | null;
}

export interface WebauthnChallengesTable {
  challenge: string;
  ceremony: string;
  subject_kind: string;
  subject_id: string;
  session_id: string | null;
  created_at: string;
  expires_at: string;
}

export interface Database {
  organizations: OrganizationsTable;
  audit_entries: AuditEntriesTable;
  audit_heads: AuditHeadsTable;
  register_records: RegisterRecordsTable;
  evidence: EvidenceTable;
  evidence_links: EvidenceLinksTable;
  evidence_blobs: EvidenceBlobsTable;
  evaluation_runs: EvaluationRunsTable;
  evaluation_results: EvaluationResultsTable;
  findings: FindingsTable;
  finding_events: FindingEventsTable;
  attestations: AttestationsTable;
  client_accounts: ClientAccountsTable;
  client_credentials: ClientCredentialsTable;
  client_totp_devices: ClientTotpDevicesTable;
  client_device_keys: ClientDeviceKeysTable;
  login_challenges: LoginChallengesTable;
  client_sessions: ClientSessionsTable;
  login_attempts: LoginAttemptsTable;
  collector_runs: CollectorRunsTable;
  notification_channels: NotificationChannelsTable;
  notifications_outbox: NotificationsOutboxTable;
  notification_deliveries: NotificationDeliveriesTable;
  monitoring_reports: MonitoringReportsTable;
  scheduled_jobs: ScheduledJobsTable;
  console_users: ConsoleUsersTable;
  console_sessions: ConsoleSessionsTable;
  console_links: ConsoleLinksTable;
  approved_cas: ApprovedCasTable;
  client_certificates: ClientCertificatesTable;
  order_evidence: OrderEvidenceTable;
  order_evidence_heads: OrderEvidenceHeadsTable;
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_challenges: WebauthnChallengesTable;
}

export type { Generated };
