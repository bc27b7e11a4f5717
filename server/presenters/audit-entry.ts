import type { AuditEntryView } from '../../shared/audit';
import type { MessageFacts } from '../amavis/message-facts';
import type { AuditRow } from '../db/app-models';

/** An audit log row as the API shows it, with its message's subject when amavis still keeps it. */
export function presentAuditEntry(row: AuditRow, facts?: MessageFacts): AuditEntryView {
  return {
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    mailId: row.mail_id,
    partitionTag: row.partition_tag,
    rseqnum: row.rseqnum,
    recipient: row.recipient,
    result: row.result,
    smtpCode: row.smtp_code,
    reply: row.reply,
    detail: row.detail,
    subject: facts?.subject ?? '',
  };
}
