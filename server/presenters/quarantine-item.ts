import type { QuarantineItem } from '../../shared/quarantine';
import type { SessionUser } from '../../shared/session';
import { binaryText } from '../amavis/binary';
import { statusOfRs, typeOfContent } from '../amavis/codes';
import type { ListRow } from '../amavis/listing';
import { encodeMessageRef } from '../amavis/message-ref';
import { actionsFor, type ReleasePolicy } from '../services/policy';

const DAY = 86_400;

/** What an item's presentation depends on beyond the row: retention, and who looks at it under which policy. */
export interface ItemContext {
  retentionDays: number;
  user: SessionUser;
  policy: ReleasePolicy;
}

/** A listed msgrcpt row as the API shows it, with the actions the session user may take on it. */
export function presentItem(row: ListRow, context: ItemContext, nowSeconds = Math.floor(Date.now() / 1000)): QuarantineItem {
  const level = row.bspam_level ?? row.spam_level;
  const type = typeOfContent(row.content);
  const status = statusOfRs(row.rs);
  return {
    id: encodeMessageRef({ partitionTag: Number(row.partition_tag), mailId: binaryText(row.mail_id), rseqnum: Number(row.rseqnum) }),
    receivedAt: new Date(Number(row.time_num) * 1000).toISOString(),
    envelopeFrom: binaryText(row.sender),
    headerFrom: binaryText(row.from_addr),
    recipient: binaryText(row.recipient),
    subject: binaryText(row.subject),
    spamLevel: level === null || level === undefined ? null : Math.round(Number(level) * 1000) / 1000,
    type,
    size: Number(row.size),
    status,
    purgeInDays: Math.max(0, Math.ceil((Number(row.time_num) + context.retentionDays * DAY - nowSeconds) / DAY)),
    actions: actionsFor(context.user, { type, status }, context.policy),
  };
}
