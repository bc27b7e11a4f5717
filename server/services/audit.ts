import type { AuditEntryView } from '../../shared/audit';
import type { SessionUser } from '../../shared/session';
import { factsKey } from '../amavis/message-facts';
import type { AmavisStore } from '../amavis/store';
import { presentAuditEntry } from '../presenters/audit-entry';
import type { AuditFilter, AuditLog } from '../db/audit-log';
import { assertSuper } from './policy';

/** Reading the audit log: super users only. */
export interface AuditService {
  /** The entries, newest first, each with its message's subject. */
  list(user: SessionUser, filter: AuditFilter): Promise<AuditEntryView[]>;
}

/** Creates the audit reader over the log. */
export function createAuditService(log: AuditLog, amavis: Pick<AmavisStore, 'facts'>): AuditService {
  return {
    async list(user, filter) {
      assertSuper(user, 'read the audit log');
      const rows = await log.list(filter);
      const facts = await amavis.facts(rows.map((r) => ({ partitionTag: r.partition_tag, mailId: r.mail_id })));
      return rows.map((r) => presentAuditEntry(r, facts.get(factsKey({ partitionTag: r.partition_tag, mailId: r.mail_id }))));
    },
  };
}
