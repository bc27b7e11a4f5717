import type { SessionUser } from '../../shared/session';
import type { AuditRow } from '../db/app-models';
import type { AuditFilter, AuditLog } from '../db/audit-log';
import { assertSuper } from './policy';

/** Reading the audit log: super users only. */
export interface AuditService {
  list(user: SessionUser, filter: AuditFilter): Promise<AuditRow[]>;
}

/** Creates the audit reader over the log. */
export function createAuditService(log: AuditLog): AuditService {
  return {
    list(user, filter) {
      assertSuper(user, 'read the audit log');
      return log.list(filter);
    },
  };
}
