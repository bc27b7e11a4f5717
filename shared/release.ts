import type { ErrorCode } from './errors';
import type { MessageStatus } from './quarantine';

/** One recipient's answer in amavisd's AM.PDP reply (a `setreply` line): the re-injecting MTA's SMTP answer. */
export interface SmtpReply {
  code: number;
  enhanced: string | undefined;
  text: string;
}

/** POST /api/messages/:id/release, for the copy's own recipient. */
export interface ReleaseOutcome {
  id: string;
  status: 'released';
  /** True when an earlier release had already delivered it: nothing was sent this time. */
  alreadyReleased: boolean;
  reply: SmtpReply | null;
}

/** POST /api/messages/:id/release with `allRecipients` or `to` (admins): what happened per address. */
export interface AdminReleaseOutcome {
  id: string;
  results: Array<{ recipient: string; delivered: boolean; reply: SmtpReply | null }>;
}

/** POST /api/messages/:id/delete. */
export interface DeleteOutcome {
  id: string;
  status: 'deleted';
}

/** POST /api/messages/:id/purge (super users). */
export interface PurgeOutcome {
  id: string;
  status: 'purged';
}

/** One id's outcome in POST /api/messages/batch: the copy's new status, or that id's own error. */
export type BatchItemResult =
  | { id: string; ok: true; status: Extract<MessageStatus, 'released' | 'deleted' | 'requested'> | 'learned' | 'already_learned' | 'not_spam' | 'allowed' | 'blocked' }
  | { id: string; ok: false; code: ErrorCode; message: string; httpStatus: number };

/** The answer of POST /api/messages/batch, in the order of the ids sent. */
export interface BatchResponse {
  results: BatchItemResult[];
}
