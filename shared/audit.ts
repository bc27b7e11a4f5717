/** What the audit log records. */
export const AUDIT_ACTIONS = [
  'view',
  'release',
  'delete',
  'purge',
  'request',
  'cancel',
  'approve',
  'deny',
  'allow_sender',
  'block_sender',
  'unlist_sender',
  'policy',
  'learn',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_RESULTS = ['ok', 'failed', 'unknown'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** One entry of GET /api/audit. */
export interface AuditEntryView {
  id: number;
  at: string;
  actor: string;
  action: AuditAction;
  mailId: string;
  partitionTag: number;
  rseqnum: number | null;
  recipient: string | null;
  result: AuditResult;
  smtpCode: number | null;
  /** amavisd's own reply, for a release. */
  reply: string | null;
  detail: string | null;
  /** The message's subject while amavis still keeps it ('' once it is gone). */
  subject: string;
}

/** GET /api/audit: newest first; pass `nextBefore` as `before` for the next page. */
export interface AuditListResponse {
  items: AuditEntryView[];
  nextBefore: number | null;
}
