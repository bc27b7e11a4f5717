import type { QuarantineItem } from '../../shared/quarantine';
import { binaryText } from '../db/binary';
import type { ListRow } from '../services/quarantine-list';
import { statusOfRs, typeOfContent } from '../services/amavis-codes';
import { encodeMessageRef } from '../services/message-ref';

const DAY = 86_400;

/** A listed msgrcpt row as the API shows it. */
export function presentItem(row: ListRow, retentionDays: number, nowSeconds = Math.floor(Date.now() / 1000)): QuarantineItem {
  const level = row.bspam_level ?? row.spam_level;
  return {
    id: encodeMessageRef({ partitionTag: Number(row.partition_tag), mailId: binaryText(row.mail_id), rseqnum: Number(row.rseqnum) }),
    receivedAt: new Date(Number(row.time_num) * 1000).toISOString(),
    envelopeFrom: binaryText(row.sender),
    headerFrom: binaryText(row.from_addr),
    recipient: binaryText(row.recipient),
    subject: binaryText(row.subject),
    spamLevel: level === null || level === undefined ? null : Math.round(Number(level) * 1000) / 1000,
    type: typeOfContent(row.content),
    size: Number(row.size),
    status: statusOfRs(row.rs),
    purgeInDays: Math.max(0, Math.ceil((Number(row.time_num) + retentionDays * DAY - nowSeconds) / DAY)),
  };
}
