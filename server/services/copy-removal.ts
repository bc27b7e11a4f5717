import type { DeleteOutcome, PurgeOutcome } from '../../shared/release';
import type { SessionUser } from '../../shared/session';
import { binaryText } from '../amavis/binary';
import { statusOfRs, typeOfContent } from '../amavis/codes';
import type { AmavisStore } from '../amavis/store';
import type { AuditLog } from '../db/audit-log';
import { claimOf, type ReleaseIntentStore } from '../db/release-intents';
import type { ReleaseRequestStore } from '../db/request-store';
import { AppError } from '../errors';
import type { MessageService } from './messages';
import { assertCan, assertSuper, type ReleasePolicy } from './policy';

type Deps = {
  amavis: AmavisStore;
  messages: MessageService;
  audit: AuditLog;
  requests: ReleaseRequestStore;
  intents: ReleaseIntentStore;
  releasePolicy: ReleasePolicy;
  /** Attempts sent before this are dead (their process is gone): they no longer hold up a delete. */
  staleBefore: () => Date;
};

/** Deleting one recipient's copy, and purging a whole message (super users), under the release's row lock. */
export function createCopyRemoval(deps: Deps): {
  remove(user: SessionUser, id: string): Promise<DeleteOutcome>;
  purge(user: SessionUser, id: string): Promise<PurgeOutcome>;
} {
  const { amavis } = deps;
  return {
    async remove(user, id) {
      const { ref, row } = await deps.messages.findAccessible(user, id, { forAction: true });
      assertCan(user, 'delete', { type: typeOfContent(row.content), status: statusOfRs(row.rs) }, deps.releasePolicy);
      const recipient = binaryText(row.recipient);
      // A release in flight holds the row lock until amavisd answers (up to AQ_PDP_TIMEOUT_MS): rather
      // than wait that long, past the statement limit, the delete is refused while it runs. A release
      // whose outcome is unknown does not hold it up: the user's wish to delete stands.
      const held = (await deps.intents.heldFor([claimOf(ref)])).get(claimOf(ref));
      if (held?.status === 'open' && held.sentAt >= deps.staleBefore()) {
        throw new AppError(409, 'conflict', 'a release of this message is in progress; delete it once it has finished');
      }
      // The same row lock as a release, taken the same way and first: a delete and a release of one copy
      // queue on it instead of deadlocking, and each sees the rs the other committed.
      const changed = await amavis.copies.transaction(async (transaction) => {
        const [locked] = await amavis.copies.lockRecipients(ref, transaction, ref.rseqnum);
        return Boolean(locked) && (await amavis.rs.apply(ref, 'delete', { transaction }));
      });
      if (changed) {
        // A request for a copy that is gone is void: requester and admins see it cancelled, and approving it is refused.
        for (const requestId of await deps.requests.cancelPendingFor(ref, user.email)) {
          await deps.audit.record({
            actor: user.email,
            action: 'cancel',
            ref,
            recipient,
            result: 'ok',
            detail: `release request ${requestId} withdrawn: the copy was deleted`,
          });
        }
        await deps.audit.record({ actor: user.email, action: 'delete', ref, recipient, result: 'ok' });
      }
      // Deleting a deleted copy again is not an error: the user's wish holds, and nothing changes.
      return { id, status: 'deleted' };
    },

    async purge(user, id) {
      assertSuper(user, 'purge a message');
      const { ref } = await deps.messages.findAccessible(user, id, { forAction: true });
      await amavis.copies.transaction(async (transaction) => {
        const open = (await amavis.copies.lockRecipients(ref, transaction)).filter((r) => r.rs !== 'D' && r.rs !== 'R').length;
        if (open > 0) throw new AppError(409, 'conflict', `${open} recipient(s) have not released or deleted this message yet; it cannot be purged`);
        await amavis.copies.removeMessage(ref, transaction);
      });
      await deps.audit.record({ actor: user.email, action: 'purge', ref: { partitionTag: ref.partitionTag, mailId: ref.mailId }, result: 'ok' });
      return { id, status: 'purged' };
    },
  };
}
