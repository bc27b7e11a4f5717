import { Op, type WhereOptions } from 'sequelize';
import type { AppModels, AuditRow } from './app-models';
import type { MessageRef } from '../amavis/message-ref';

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
  /** The newest entries first, filtered, paged by id (before = the last id of the previous page). */
  list(filter: AuditFilter): Promise<AuditRow[]>;
  /**
   * Deletes (or in a dry run counts) the entries from before `cutoff`, oldest first by the `at` index, a
   * batch per statement; returns how many. A database without our table (the cleanup can run before the
   * server ever started) has nothing to delete.
   */
  purgeBefore(cutoff: Date, options: { dryRun: boolean; batchSize: number }): Promise<number>;
}

export interface AuditFilter {
  actor?: string | undefined;
  action?: AuditRow['action'] | undefined;
  recipient?: string | undefined;
  mailId?: string | undefined;
  result?: AuditRow['result'] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  before?: number | undefined;
  limit: number;
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

    list(filter) {
      const where: WhereOptions<AuditRow> = {
        ...(filter.actor ? { actor: filter.actor } : {}),
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.recipient ? { recipient: filter.recipient } : {}),
        ...(filter.mailId ? { mail_id: filter.mailId } : {}),
        ...(filter.result ? { result: filter.result } : {}),
        ...(filter.since || filter.until ? { at: { ...(filter.since ? { [Op.gte]: filter.since } : {}), ...(filter.until ? { [Op.lt]: filter.until } : {}) } } : {}),
        ...(filter.before ? { id: { [Op.lt]: filter.before } } : {}),
      };
      return models.Audit.findAll({ where, order: [['id', 'DESC']], limit: filter.limit });
    },

    async purgeBefore(cutoff, { dryRun, batchSize }) {
      const { Audit } = models;
      if (!(await Audit.sequelize!.getQueryInterface().tableExists(Audit.getTableName()))) return 0;
      const where = { at: { [Op.lt]: cutoff } };
      if (dryRun) return Audit.count({ where });
      let rows = 0;
      for (;;) {
        const ids = (await Audit.findAll({ attributes: ['id'], where, order: [['at', 'ASC']], limit: batchSize, raw: true })).map((r) => r.id);
        if (ids.length === 0) break;
        rows += await Audit.destroy({ where: { id: ids } });
      }
      return rows;
    },
  };
}
