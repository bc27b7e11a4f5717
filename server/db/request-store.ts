import { Op, type WhereOptions } from 'sequelize';
import type { ReleaseRequestView } from '../../shared/requests';
import type { MessageRef } from '../amavis/message-ref';
import type { AppModels, ReleaseRequestRow } from './app-models';

/** Which requests an admin may see and decide: every one, or those of some recipient domains. */
export type RequestScope = 'all' | { domains: readonly string[] };

type Decision = Exclude<ReleaseRequestView['status'], 'pending'>;

/** Our table of release requests (aq_release_requests). Each decision is a guarded write: only a pending request changes. */
export interface ReleaseRequestStore {
  /** The pending request of one recipient's copy, if any. */
  pendingFor(ref: MessageRef): Promise<ReleaseRequestRow | null>;
  create(fields: Pick<ReleaseRequestRow, 'requester' | 'recipient' | 'subject' | 'previous_rs' | 'request_note'> & { ref: MessageRef }): Promise<ReleaseRequestRow>;
  /** A pending request of this requester's. */
  ownPending(id: number, requester: string): Promise<ReleaseRequestRow | null>;
  /** A request in the admin's scope, whatever its status (so that a decided one is told apart from a missing one). */
  inScope(id: number, scope: RequestScope): Promise<ReleaseRequestRow | null>;
  list(scope: RequestScope, status: ReleaseRequestView['status'], limit: number): Promise<ReleaseRequestRow[]>;
  /** Decides a request if it is still pending; false when another decision came first. Updates `row` in place. */
  decide(row: ReleaseRequestRow, status: Decision, by: string, note?: string | null): Promise<boolean>;
  /** Cancels the pending requests of a copy (e.g. it was deleted); returns their ids. */
  cancelPendingFor(ref: MessageRef, by: string): Promise<number[]>;
  /** Pending requests no admin was told about yet, oldest first. */
  unannounced(limit: number): Promise<ReleaseRequestRow[]>;
  /** Claims the announcement of one request; false when another instance claimed it first. */
  claimAnnouncement(id: number): Promise<boolean>;
}

/** Creates the store on our ReleaseRequest model. */
export function createRequestStore(models: AppModels): ReleaseRequestStore {
  const { ReleaseRequest } = models;
  const scoped = (scope: RequestScope): WhereOptions<ReleaseRequestRow> => (scope === 'all' ? {} : { recipient_domain: { [Op.in]: [...scope.domains] } });
  const copyKey = (ref: MessageRef) => ({ mail_id: ref.mailId, partition_tag: ref.partitionTag, rseqnum: ref.rseqnum });

  return {
    pendingFor: (ref) => ReleaseRequest.findOne({ where: { ...copyKey(ref), status: 'pending' } }),

    create({ ref, ...fields }) {
      return ReleaseRequest.create({
        ...fields,
        ...copyKey(ref),
        created_at: new Date(),
        recipient_domain: fields.recipient.slice(fields.recipient.lastIndexOf('@') + 1).toLowerCase(),
        subject: fields.subject.slice(0, 255),
        status: 'pending',
      });
    },

    ownPending: (id, requester) => ReleaseRequest.findOne({ where: { id, requester, status: 'pending' } }),

    inScope: (id, scope) => ReleaseRequest.findOne({ where: { id, ...scoped(scope) } }),

    list: (scope, status, limit) => ReleaseRequest.findAll({ where: { status, ...scoped(scope) }, order: [['created_at', 'DESC']], limit }),

    async decide(row, status, by, note) {
      const decided = { status, decided_by: by, decided_at: new Date(), ...(note === undefined ? {} : { note }) };
      const [count] = await ReleaseRequest.update(decided, { where: { id: row.id, status: 'pending' } });
      if (count === 1) row.set(decided);
      return count === 1;
    },

    async cancelPendingFor(ref, by) {
      const pending = await ReleaseRequest.findAll({ where: { ...copyKey(ref), status: 'pending' } });
      const cancelled: number[] = [];
      for (const row of pending) {
        const [count] = await ReleaseRequest.update({ status: 'cancelled', decided_by: by, decided_at: new Date() }, { where: { id: row.id, status: 'pending' } });
        if (count === 1) cancelled.push(Number(row.id));
      }
      return cancelled;
    },

    unannounced: (limit) => ReleaseRequest.findAll({ where: { status: 'pending', admins_notified_at: null }, order: [['created_at', 'ASC']], limit }),

    async claimAnnouncement(id) {
      const [count] = await ReleaseRequest.update({ admins_notified_at: new Date() }, { where: { id, admins_notified_at: null } });
      return count === 1;
    },
  };
}
