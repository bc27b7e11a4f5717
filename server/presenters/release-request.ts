import type { ReleaseRequestView } from '../../shared/requests';
import type { ReleaseRequestRow } from '../db/app-models';
import { encodeMessageRef } from '../amavis/message-ref';

/** A stored release request as the API shows it. */
export function presentRequest(row: ReleaseRequestRow): ReleaseRequestView {
  return {
    id: Number(row.id),
    messageId: encodeMessageRef({ partitionTag: row.partition_tag, mailId: row.mail_id, rseqnum: row.rseqnum }),
    requester: row.requester,
    recipient: row.recipient,
    subject: row.subject,
    createdAt: new Date(row.created_at).toISOString(),
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at ? new Date(row.decided_at).toISOString() : null,
    note: row.note,
    requestNote: row.request_note ?? null,
  };
}
