import type { AppModels, AuditRow } from '../db/app-models';
import type { MessageRef } from './message-ref';

export type AuditEntry = Pick<AuditRow, 'actor' | 'action' | 'result'> & {
  ref: MessageRef | Omit<MessageRef, 'rseqnum'>;
  recipient?: string | null;
  smtpCode?: number | null;
  reply?: string | null;
  detail?: string | null;
};

/** The audit log: every release attempt, delete, request, decision, and every admin view of others' mail. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

/** Creates the audit log on our aq_audit table. */
export function createAuditLog(models: AppModels): AuditLog {
  return {
    async record(entry) {
      await models.Audit.create({
        at: new Date(),
        actor: entry.actor,
        action: entry.action,
        partition_tag: entry.ref.partitionTag,
        mail_id: entry.ref.mailId,
        rseqnum: 'rseqnum' in entry.ref ? entry.ref.rseqnum : null,
        recipient: entry.recipient ?? null,
        result: entry.result,
        smtp_code: entry.smtpCode ?? null,
        reply: entry.reply ?? null,
        detail: entry.detail ?? null,
      });
    },
  };
}
