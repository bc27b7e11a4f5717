import type { MessageAction } from './actions';

/** Why a message was quarantined, in user words (amavis `content` codes V B U S Y M H O). */
export const MESSAGE_TYPES = ['spam', 'spammy', 'virus', 'banned', 'bad-header', 'bad-mime', 'oversized', 'unchecked'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Where a recipient's copy stands (amavis `msgrcpt.rs`: blank, V, R, p, D). */
export const MESSAGE_STATUSES = ['new', 'viewed', 'released', 'requested', 'deleted'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** One quarantined message as one recipient got it (a msgrcpt row). */
export interface QuarantineItem {
  /** Opaque: names the partition, the message and the recipient row. */
  id: string;
  receivedAt: string;
  envelopeFrom: string;
  headerFrom: string;
  recipient: string;
  subject: string;
  spamLevel: number | null;
  type: MessageType | 'other';
  size: number;
  status: MessageStatus;
  /** Days until the cleanup removes it (AQ_RETENTION_DAYS after receipt); 0 means due now. */
  purgeInDays: number;
  /** What the session user may do to this copy now (release policy, role and status applied by the server). */
  actions: MessageAction[];
  /**
   * Set while a release of this copy was sent to amavisd and no answer came back (a lost reply, a
   * timeout, a crash): it may have been delivered. A plain release answers 409 release_outcome_unknown;
   * releasing it again needs `confirmUnknown`.
   */
  releaseState?: ReleaseState;
}

/** A release whose outcome is not known: when it was sent (ISO 8601) and by whom. */
export interface ReleaseState {
  state: 'unknown';
  sentAt: string;
  by: string;
}

export interface QuarantineListResponse {
  items: QuarantineItem[];
  nextCursor: string | null;
  /** Only with count=true: how many match, counted up to a cap so that it stays cheap. */
  count?: { value: number; capped: boolean };
}

/** The query string of GET /api/messages. */
export interface QuarantineListParams {
  type?: MessageType | MessageType[];
  status?: MessageStatus | MessageStatus[];
  q?: string;
  from?: string;
  to?: string;
  since?: string;
  until?: string;
  /** date (the default), score, sender (the From header) or subject. */
  sort?: 'date' | 'score' | 'sender' | 'subject';
  /** desc (the default: newest, highest, Z to A) or asc. */
  dir?: 'asc' | 'desc';
  cursor?: string;
  limit?: number;
  count?: boolean;
}
