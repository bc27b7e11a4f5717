import type { AdminReleaseOutcome, DeleteOutcome, PurgeOutcome, ReleaseOutcome } from '../../shared/release';
import type { SessionUser } from '../../shared/session';
import { binaryText } from '../amavis/binary';
import { typeOfContent, statusOfRs } from '../amavis/codes';
import type { AmavisTransaction } from '../amavis/copies';
import { encodeMessageRef, type MessageRef } from '../amavis/message-ref';
import { canTransition, type RsTransition } from '../amavis/rs';
import type { AmavisStore } from '../amavis/store';
import { PdpError, type PdpClient } from '../clients/amavis-pdp';
import { classifyPdpError, describeSmtpReply, type RecipientReleaseOutcome } from '../clients/pdp-release';
import type { ReleaseRequestStore } from '../db/request-store';
import { AppError } from '../errors';
import type { AuditEntry, AuditLog } from '../db/audit-log';
import type { Logger } from '../logger';
import type { MessageService } from './messages';
import { createReleaseTurns } from './release-turn';
import { assertCan, assertSuper, type ReleasePolicy } from './policy';

/** An admin's explicit, logged choice of where a release goes instead of the row's own recipient. */
export type AdminTarget = { allRecipients: true } | { to: string };

export interface ReleaseService {
  /** Releases one recipient's copy to that recipient, through amavisd's AM.PDP. */
  release(user: SessionUser, id: string): Promise<ReleaseOutcome>;
  /**
   * Releases a copy whose release was requested, for the admin deciding that request: only while the
   * copy is still waiting for that decision (rs='p'); otherwise 409 and nothing is sent.
   */
  releaseRequested(admin: SessionUser, id: string): Promise<ReleaseOutcome>;
  /** Admins: release to every blocked recipient in their scope, or to another address. */
  releaseAsAdmin(user: SessionUser, id: string, target: AdminTarget): Promise<AdminReleaseOutcome>;
  /** Marks one recipient's copy deleted (rs='D'), and withdraws a pending release request of it. */
  remove(user: SessionUser, id: string): Promise<DeleteOutcome>;
  /**
   * Super users only: removes the whole message (msgs, msgrcpt, quarantine) in one transaction, and only
   * when every recipient's copy is released or deleted, so no one loses mail they still have to decide on.
   */
  purge(user: SessionUser, id: string): Promise<PurgeOutcome>;
}

/** Why a copy in this rs cannot take this transition, in words a person understands. */
function conflictOf(rs: string, transition: RsTransition): AppError {
  const status = statusOfRs(rs);
  if (status === 'deleted') return new AppError(409, 'conflict', 'this message was deleted; it can no longer be released');
  if (status === 'released') return new AppError(409, 'conflict', 'this message has already been released');
  if (transition === 'approve') return new AppError(409, 'conflict', 'this message is no longer waiting for a release decision; nothing was sent');
  return new AppError(409, 'conflict', `this message cannot be released now (it is ${status})`);
}

type Deps = {
  amavis: AmavisStore;
  messages: MessageService;
  /** The AM.PDP client for the amavis host that stored a message (msgs.host). */
  pdpFor: (host: string) => PdpClient;
  audit: AuditLog;
  requests: ReleaseRequestStore;
  releasePolicy: ReleasePolicy;
  logger: Logger;
  /** AM.PDP exchanges at once in this process (AQ_PDP_MAX_CONCURRENT); the rest wait their turn. */
  pdpMaxConcurrent: number;
  /** How long a release waits for its turn before it is answered 503 busy. */
  pdpQueueTimeoutMs: number;
};

/** Creates the release service. */
export function createReleaseService(deps: Deps): ReleaseService {
  const { amavis } = deps;
  // Concurrent releases of one row by one user in this process share one attempt; across users and
  // instances the row lock below serialises them.
  const inFlight = new Map<string, Promise<ReleaseOutcome>>();
  const inTurn = createReleaseTurns({ amavis, audit: deps.audit, logger: deps.logger, max: deps.pdpMaxConcurrent, waitMs: deps.pdpQueueTimeoutMs });

  async function assertNotPurged(user: SessionUser, ref: MessageRef, recipients: string[], transaction: AmavisTransaction, entries: AuditEntry[]): Promise<void> {
    if (await amavis.copies.hasText(ref, transaction)) return;
    for (const recipient of recipients) {
      entries.push({ actor: user.email, action: 'release', ref, recipient, result: 'failed', detail: 'the quarantined copy was purged' });
    }
    throw new AppError(410, 'gone', 'the quarantined copy of this message has been purged');
  }

  /**
   * Sends one AM.PDP release for these recipients and returns amavisd's verdict for each, in order.
   * When amavisd cannot be asked, every recipient's attempt is audited and the error says which case it is.
   */
  async function askAmavis(
    user: SessionUser,
    ref: MessageRef,
    recipients: string[],
    transaction: AmavisTransaction,
    entries: AuditEntry[],
    note?: string,
  ): Promise<RecipientReleaseOutcome[]> {
    const facts = await amavis.copies.releaseFacts(ref, transaction);
    try {
      return await deps.pdpFor(facts.host).release({ mailId: ref.mailId, secretId: facts.secretId, partitionTag: ref.partitionTag, recipients, requestedBy: user.email });
    } catch (err) {
      if (!(err instanceof PdpError)) throw err;
      const unknown = classifyPdpError(err) === 'unknown';
      for (const recipient of recipients) {
        entries.push({
          actor: user.email,
          action: 'release',
          ref,
          recipient,
          result: unknown ? 'unknown' : 'failed',
          detail: note ? `${note}; ${err.message}` : err.message,
        });
      }
      // After the request went out, it may have been delivered: a person decides; nothing is retried.
      if (unknown) throw new AppError(504, 'release_unknown', `amavisd did not answer in time; the message may or may not have been delivered (${err.message})`);
      throw new AppError(503, 'amavis_unavailable', `the release service (amavisd) cannot be reached: ${err.message}`);
    }
  }

  /** Releases one copy to its own recipient, if its rs allows `transition` now; the rs check and the write happen under one row lock. */
  async function releaseCopy(user: SessionUser, id: string, transition: 'release' | 'approve'): Promise<ReleaseOutcome> {
    const { ref, row } = await deps.messages.findAccessible(user, id, { forAction: true });
    const recipient = binaryText(row.recipient);
    if (transition === 'release') assertCan(user, 'release', { type: typeOfContent(row.content), status: statusOfRs(row.rs) }, deps.releasePolicy);

    return inTurn(user, ref, [recipient], async (transaction, entries) => {
      const [locked] = await amavis.copies.lockRecipients(ref, transaction, ref.rseqnum);
      if (!locked) throw new AppError(404, 'not_found', 'no such message in your quarantine');
      if (locked.rs === 'R' && transition === 'release') return { id, status: 'released' as const, alreadyReleased: true, reply: null };
      if (!canTransition(locked.rs, transition)) throw conflictOf(locked.rs, transition);
      await assertNotPurged(user, ref, [recipient], transaction, entries);
      const [result] = await askAmavis(user, ref, [recipient], transaction, entries);
      if (result?.verdict !== 'delivered') {
        const said = result?.summary ?? 'amavisd gave no answer for this recipient';
        entries.push({ actor: user.email, action: 'release', ref, recipient, result: 'failed', smtpCode: result?.reply?.code ?? null, reply: said });
        const gone = Boolean(result?.gone);
        throw new AppError(gone ? 410 : 502, gone ? 'gone' : 'release_failed', `amavisd did not release the message: ${said}`, { reply: result?.reply ?? null });
      }
      // Delivered is a fact from here on, whatever happens to the transaction: it is audited either way.
      entries.push({
        actor: user.email,
        action: 'release',
        ref,
        recipient,
        result: 'ok',
        smtpCode: result.reply?.code ?? null,
        reply: result.reply ? describeSmtpReply(result.reply) : null,
      });
      // Under the row lock, the guard cannot fail here; it is checked all the same, never assumed.
      if (!(await amavis.rs.apply(ref, transition, { transaction }))) throw conflictOf(locked.rs, transition);
      return { id, status: 'released' as const, alreadyReleased: false, reply: result.reply };
    });
  }

  async function releaseAsAdmin(user: SessionUser, id: string, target: AdminTarget): Promise<AdminReleaseOutcome> {
    const { ref, row } = await deps.messages.findAccessible(user, id, { forAction: true });
    assertCan(user, 'to' in target ? 'release_to' : 'release_all', { type: typeOfContent(row.content), status: statusOfRs(row.rs) }, deps.releasePolicy);
    // Which recipient rows are in the admin's own scope (a domain admin releases to their domains'
    // recipients only) is settled before the release's transaction: the check reads through other
    // connections, and a release never holds two at once. A row's recipient never changes; its rs is
    // checked again under the lock.
    let inScope = new Set<number>();
    if (!('to' in target)) {
      const all = await amavis.copies.transaction((transaction) => amavis.copies.lockRecipients(ref, transaction));
      const checks = await Promise.all(
        all.map((r) =>
          deps.messages.findAccessible(user, encodeMessageRef({ ...ref, rseqnum: r.rseqnum })).then(
            () => r.rseqnum,
            () => undefined,
          ),
        ),
      );
      inScope = new Set(checks.filter((n) => n !== undefined));
    }
    return inTurn(user, ref, 'to' in target ? [target.to.toLowerCase()] : [], async (transaction, entries) => {
      let targets: Array<{ email: string; rseqnum?: number }>;
      if ('to' in target) {
        targets = [{ email: target.to.toLowerCase() }];
      } else {
        // Every recipient row still held back, within the admin's own scope.
        const rows = (await amavis.copies.lockRecipients(ref, transaction)).filter((r) => canTransition(r.rs, 'release') && inScope.has(r.rseqnum));
        targets = rows.map((r) => ({ email: r.email, rseqnum: r.rseqnum }));
        if (targets.length === 0) throw new AppError(409, 'conflict', 'no recipient in your scope is still waiting for this message');
      }
      const note = 'to' in target ? `admin release to another address: ${target.to}` : 'admin release to all blocked recipients';
      await assertNotPurged(
        user,
        ref,
        targets.map((t) => t.email),
        transaction,
        entries,
      );
      const outcomes = await askAmavis(
        user,
        ref,
        targets.map((t) => t.email),
        transaction,
        entries,
        note,
      );
      const results: AdminReleaseOutcome['results'] = [];
      for (const [i, t] of targets.entries()) {
        const result = outcomes[i];
        const delivered = result?.verdict === 'delivered';
        entries.push({
          actor: user.email,
          action: 'release',
          ref: t.rseqnum === undefined ? { partitionTag: ref.partitionTag, mailId: ref.mailId } : { ...ref, rseqnum: t.rseqnum },
          recipient: t.email,
          result: delivered ? 'ok' : 'failed',
          smtpCode: result?.reply?.code ?? null,
          reply: result?.reply ? describeSmtpReply(result.reply) : null,
          detail: note,
        });
        results.push({ recipient: t.email, delivered, reply: result?.reply ?? null });
      }
      // Every verdict is audited before any write: amavisd's answers stand even if a write fails. Only a
      // copy released to its own recipient counts as released; a copy sent elsewhere does not.
      for (const [i, t] of targets.entries()) {
        if (results[i]?.delivered && t.rseqnum !== undefined) await amavis.rs.apply({ ...ref, rseqnum: t.rseqnum }, 'release', { transaction });
      }
      return { id, results };
    });
  }

  return {
    release(user, id) {
      // Keyed by user too: a shared attempt must never hand one user's result to another unchecked.
      const flightKey = `${user.email}\n${id}`;
      let attempt = inFlight.get(flightKey);
      if (!attempt) {
        attempt = releaseCopy(user, id, 'release').finally(() => inFlight.delete(flightKey));
        inFlight.set(flightKey, attempt);
      }
      return attempt;
    },

    releaseRequested: (admin, id) => releaseCopy(admin, id, 'approve'),

    releaseAsAdmin,

    async remove(user, id) {
      const { ref, row } = await deps.messages.findAccessible(user, id, { forAction: true });
      assertCan(user, 'delete', { type: typeOfContent(row.content), status: statusOfRs(row.rs) }, deps.releasePolicy);
      const recipient = binaryText(row.recipient);
      if (await amavis.rs.apply(ref, 'delete')) {
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
