import type { MessageType } from './quarantine';
import type { ReleaseOutcome } from './release';

/** A release request as the API shows it. */
export interface ReleaseRequestView {
  id: number;
  /** The quarantine item it is about (the id of GET /api/messages/:id). */
  messageId: string;
  requester: string;
  recipient: string;
  subject: string;
  createdAt: string;
  status: 'pending' | 'approved' | 'denied' | 'cancelled';
  decidedBy: string | null;
  decidedAt: string | null;
  /** The admin's note on a denial. */
  note: string | null;
  /** What the requester wrote when asking. */
  requestNote: string | null;
  /** In GET /api/requests: why amavis held the message, and its spam score (null once the message is gone). */
  type?: MessageType | 'other' | null;
  spamLevel?: number | null;
  /** In GET /api/requests: the message's From header and envelope sender ('' once it is gone), to see a forged sender. */
  headerFrom?: string;
  envelopeFrom?: string;
}

/** GET /api/requests. */
export interface ReleaseRequestListResponse {
  items: ReleaseRequestView[];
}

/** POST /api/requests/:rid/approve: the decided request and the release it made. */
export interface ApproveOutcome {
  request: ReleaseRequestView;
  release: ReleaseOutcome;
}
