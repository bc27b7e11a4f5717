import type { QuarantineItem, ReleaseState } from '../../shared/quarantine';
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

/**
 * The release attempt that still holds a copy (server/db/release-intents.ts), attached to its row by the
 * message service: `open` or `unknown` (no answer came), or `delivered` while the copy is not yet marked.
 */
export interface HeldRelease {
  status: 'open' | 'unknown' | 'delivered' | 'refused' | 'not_sent';
  sentAt: Date;
  actor: string;
}

/** A listed msgrcpt row as the API shows it, with the actions the session user may take on it. */
export function presentItem(row: ListRow & { heldRelease?: HeldRelease | undefined }, context: ItemContext, nowSeconds = Math.floor(Date.now() / 1000)): QuarantineItem {
  const level = row.bspam_level ?? row.spam_level;
  const type = typeOfContent(row.content);
  const held = row.heldRelease;
  // amavisd said delivered, the mark did not commit: the copy is shown as what it is, released.
  const status = held?.status === 'delivered' && statusOfRs(row.rs) !== 'deleted' ? 'released' : statusOfRs(row.rs);
  const releaseState: ReleaseState | undefined =
    held && (held.status === 'open' || held.status === 'unknown') && status !== 'released'
      ? { state: 'unknown', sentAt: held.sentAt.toISOString(), by: held.actor }
      : undefined;
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
    ...(releaseState ? { releaseState } : {}),
  };
}
