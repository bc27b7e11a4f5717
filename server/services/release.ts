import type { AdminReleaseOutcome, DeleteOutcome, PurgeOutcome, ReleaseOutcome } from '../../shared/release';
import type { SessionUser } from '../../shared/session';
import { binaryText } from '../amavis/binary';
import { typeOfContent, statusOfRs } from '../amavis/codes';
import { encodeMessageRef, type MessageRef } from '../amavis/message-ref';
import { canTransition, type RsTransition } from '../amavis/rs';
import type { AmavisStore } from '../amavis/store';
import type { PdpClient } from '../clients/amavis-pdp';
import type { ReleaseRequestStore } from '../db/request-store';
import type { ReleaseIntent, ReleaseIntentStore } from '../db/release-intents';
import { AppError } from '../errors';
import type { AuditLog } from '../db/audit-log';
import type { Logger } from '../logger';
import type { MessageService } from './messages';
import { createReleaseTurns, type AttemptOutcome } from './release-turn';
import { assertCan, type ReleasePolicy } from './policy';
import { createCopyRemoval } from './copy-removal';
import { createReleaseExchange, describeReply } from './release-exchange';

/** An admin's explicit, logged choice of where a release goes instead of the row's own recipient. */
export type AdminTarget = { allRecipients: true } | { to: string };

/** `confirmUnknown`: the user looked in the inbox after a release with no answer, and wants it sent again. */
export interface ReleaseOptions {
  confirmUnknown?: boolean;
}

export interface ReleaseService {
  /**
   * Releases one recipient's copy to that recipient, through amavisd's AM.PDP. A copy whose last release
   * got no answer is sent again only with `confirmUnknown` (otherwise 409 release_outcome_unknown).
   */
  release(user: SessionUser, id: string, options?: ReleaseOptions): Promise<ReleaseOutcome>;
  /**
   * Releases a copy whose release was requested, for the admin deciding that request: only while the
   * copy is still waiting for that decision (rs='p'); otherwise 409 and nothing is sent.
   */
  releaseRequested(admin: SessionUser, id: string): Promise<ReleaseOutcome>;
  /** Admins: release to every blocked recipient in their scope, or to another address. */
  releaseAsAdmin(user: SessionUser, id: string, target: AdminTarget, options?: ReleaseOptions): Promise<AdminReleaseOutcome>;
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
  /** The durable record of every release attempt, on the app database. */
  intents: ReleaseIntentStore;
  releasePolicy: ReleasePolicy;
  logger: Logger;
  /** AM.PDP exchanges at once in this process (AQ_PDP_MAX_CONCURRENT); the rest wait their turn. */
  pdpMaxConcurrent: number;
  /** How long a release waits for its turn before it is answered 503 busy. */
  pdpQueueTimeoutMs: number;
  /** How long an attempt can run at most (turn, statements, AM.PDP reply): older open attempts are dead. */
  attemptStaleAfterMs: number;
};

/** Creates the release service. */
export function createReleaseService(deps: Deps): ReleaseService {
  const { amavis } = deps;
  // Concurrent releases of one row by one user in this process share one attempt; across users and
  // instances the intent's claim and the row lock below serialise them.
  const inFlight = new Map<string, Promise<ReleaseOutcome>>();
  const turns = createReleaseTurns({
    amavis,
    audit: deps.audit,
    intents: deps.intents,
    logger: deps.logger,
    max: deps.pdpMaxConcurrent,
    waitMs: deps.pdpQueueTimeoutMs,
    staleAfterMs: deps.attemptStaleAfterMs,
  });
  const { inTurn } = turns;

  const { assertNotPurged, askAmavis } = createReleaseExchange({ amavis, pdpFor: deps.pdpFor });

  /**
   * Releases one copy to its own recipient, if its rs allows `transition` now.
   *
   * The order, and what a crash (or a cut connection, or a lost reply) at each point leaves behind:
   * 1. The turn, then the attempt is committed in aq_release_intents (`open`, holding the copy's claim).
   *    Before this commit: nothing was sent and nothing recorded; a retry is a fresh release.
   * 2. One amavis transaction: lock the msgrcpt row (FOR UPDATE: concurrent releases and deletes queue
   *    here), check rs, ask amavisd, write rs='R' only on "delivered", commit.
   *    A crash from the commit of 1 up to this commit leaves the attempt `open`; on start it becomes
   *    `unknown` (it may have been delivered: amavisd delivers even when no one waits for its answer).
   *    The claim stays, so a plain retry is 409 release_outcome_unknown, and only a confirmed one sends.
   *    A crash after the commit: rs='R', so a retry finds the copy released and sends nothing.
   * 3. The outcome is written on the attempt (`delivered` frees the claim once rs='R' is committed;
   *    `refused` and `not_sent` free it; `unknown` keeps it), then the audit entries.
   *    If amavisd delivered but the transaction of 2 failed (a cut connection), the attempt says
   *    `delivered` and keeps the claim: the next release marks the copy instead of sending it again.
   *    A crash between the outcome and the audit loses audit lines, never the outcome.
   */
  async function releaseCopy(user: SessionUser, id: string, transition: 'release' | 'approve', { confirmUnknown = false }: ReleaseOptions = {}): Promise<ReleaseOutcome> {
    const { ref, row } = await deps.messages.findAccessible(user, id, { forAction: true });
    const recipient = binaryText(row.recipient);
    if (transition === 'release') assertCan(user, 'release', { type: typeOfContent(row.content), status: statusOfRs(row.rs) }, deps.releasePolicy);

    return inTurn(user, ref, [recipient], async (entries) => {
      const claimed = await turns.claim(user, { ...ref, recipient }, { confirmUnknown });
      if ('alreadyReleased' in claimed) {
        if (transition === 'approve') throw conflictOf('R', transition);
        return { id, status: 'released' as const, alreadyReleased: true, reply: null };
      }
      const attempt: AttemptOutcome = { outcome: 'not_sent', reply: null, marked: false };
      let delivered: ReleaseOutcome | undefined;
      try {
        const outcome = await amavis.copies.transaction(async (transaction) => {
          const [locked] = await amavis.copies.lockRecipients(ref, transaction, ref.rseqnum);
          if (!locked) throw new AppError(404, 'not_found', 'no such message in your quarantine');
          if (locked.rs === 'R' && transition === 'release') return { id, status: 'released' as const, alreadyReleased: true, reply: null };
          if (!canTransition(locked.rs, transition)) throw conflictOf(locked.rs, transition);
          await assertNotPurged(user, ref, [recipient], transaction, entries);
          const [result] = await askAmavis(user, ref, [recipient], transaction, entries, [attempt]);
          attempt.reply = describeReply(result);
          if (result?.verdict !== 'delivered') {
            attempt.outcome = 'refused';
            const said = result?.summary ?? 'amavisd gave no answer for this recipient';
            entries.push({ actor: user.email, action: 'release', ref, recipient, result: 'failed', smtpCode: result?.reply?.code ?? null, reply: said });
            const gone = Boolean(result?.gone);
            throw new AppError(gone ? 410 : 502, gone ? 'gone' : 'release_failed', `amavisd did not release the message: ${said}`, { reply: result?.reply ?? null });
          }
          // Delivered is a fact from here on, whatever happens to the transaction: it is audited and recorded either way.
          attempt.outcome = 'delivered';
          delivered = { id, status: 'released' as const, alreadyReleased: false, reply: result.reply };
          entries.push({ actor: user.email, action: 'release', ref, recipient, result: 'ok', smtpCode: result.reply?.code ?? null, reply: attempt.reply });
          // Under the row lock, the guard cannot fail here; it is checked all the same, never assumed.
          if (!(await amavis.rs.apply(ref, transition, { transaction }))) throw conflictOf(locked.rs, transition);
          return delivered;
        });
        attempt.marked = attempt.outcome === 'delivered';
        return outcome;
      } catch (err) {
        // The mail is in the inbox even though the mark did not commit: the user is told so, and the
        // attempt keeps the copy's claim, so that no release sends it again (the next one marks it).
        if (delivered) {
          deps.logger.warn({ err, ref }, 'released, but the copy could not be marked released');
          return delivered;
        }
        throw err;
      } finally {
        await turns.settle(claimed.intent, attempt);
      }
    });
  }

  /** Records one admin attempt per target before amavisd is asked; targets held by another attempt are left out. */
  async function claimTargets(user: SessionUser, targets: Array<{ email: string; rseqnum?: number }>, ref: MessageRef, options: ReleaseOptions) {
    const claimed: Array<{ email: string; rseqnum?: number; intent: ReleaseIntent }> = [];
    let blocked: Error | undefined;
    for (const t of targets) {
      try {
        const got = await turns.claim(
          user,
          { partitionTag: ref.partitionTag, mailId: ref.mailId, rseqnum: t.rseqnum ?? null, recipient: t.email },
          { confirmUnknown: Boolean(options.confirmUnknown) },
        );
        if ('intent' in got) claimed.push({ ...t, intent: got.intent });
      } catch (err) {
        blocked ??= err as Error;
      }
    }
    // Nothing to send: say why (the first target's reason), as a single release would.
    if (claimed.length === 0 && blocked) throw blocked;
    return claimed;
  }

  async function releaseAsAdmin(user: SessionUser, id: string, target: AdminTarget, options: ReleaseOptions = {}): Promise<AdminReleaseOutcome> {
    const { ref, row } = await deps.messages.findAccessible(user, id, { forAction: true });
    assertCan(user, 'to' in target ? 'release_to' : 'release_all', { type: typeOfContent(row.content), status: statusOfRs(row.rs) }, deps.releasePolicy);
    // Which recipient rows are in the admin's own scope (a domain admin releases to their domains'
    // recipients only) is settled before the release's transaction: the check reads through other
    // connections, and a release never holds two at once. A row's recipient never changes; its rs is
    // checked again under the lock.
    let candidates: Array<{ email: string; rseqnum?: number }> = [];
    if ('to' in target) {
      candidates = [{ email: target.to.toLowerCase() }];
    } else {
      const all = await amavis.copies.transaction((transaction) => amavis.copies.lockRecipients(ref, transaction));
      const checks = await Promise.all(
        all.map((r) =>
          deps.messages.findAccessible(user, encodeMessageRef({ ...ref, rseqnum: r.rseqnum })).then(
            () => r,
            () => undefined,
          ),
        ),
      );
      candidates = checks.filter((r) => r !== undefined && canTransition(r.rs, 'release')).map((r) => ({ email: r!.email, rseqnum: r!.rseqnum }));
      if (candidates.length === 0) throw new AppError(409, 'conflict', 'no recipient in your scope is still waiting for this message');
    }
    const note = 'to' in target ? `admin release to another address: ${target.to}` : 'admin release to all blocked recipients';
    return inTurn(user, ref, 'to' in target ? [target.to.toLowerCase()] : [], async (entries) => {
      const claimed = await claimTargets(user, candidates, ref, options);
      const attempts = new Map<number, AttemptOutcome>(claimed.map((c) => [c.intent.id, { outcome: 'not_sent', reply: null, marked: false }]));
      const attemptOf = (c: (typeof claimed)[number]) => attempts.get(c.intent.id)!;
      try {
        const outcome = await amavis.copies.transaction(async (transaction) => {
          let targets = claimed;
          if (!('to' in target)) {
            // Every claimed recipient row still held back.
            const open = new Set((await amavis.copies.lockRecipients(ref, transaction)).filter((r) => canTransition(r.rs, 'release')).map((r) => r.rseqnum));
            targets = claimed.filter((t) => t.rseqnum !== undefined && open.has(t.rseqnum));
            if (targets.length === 0) throw new AppError(409, 'conflict', 'no recipient in your scope is still waiting for this message');
          }
          const emails = targets.map((t) => t.email);
          await assertNotPurged(user, ref, emails, transaction, entries);
          const outcomes = await askAmavis(user, ref, emails, transaction, entries, targets.map(attemptOf), note);
          const results: AdminReleaseOutcome['results'] = [];
          for (const [i, t] of targets.entries()) {
            const result = outcomes[i];
            const delivered = result?.verdict === 'delivered';
            Object.assign(attemptOf(t), { outcome: delivered ? 'delivered' : 'refused', reply: describeReply(result) });
            entries.push({
              actor: user.email,
              action: 'release',
              ref: t.rseqnum === undefined ? { partitionTag: ref.partitionTag, mailId: ref.mailId } : { ...ref, rseqnum: t.rseqnum },
              recipient: t.email,
              result: delivered ? 'ok' : 'failed',
              smtpCode: result?.reply?.code ?? null,
              reply: describeReply(result),
              detail: note,
            });
            results.push({ recipient: t.email, delivered, reply: result?.reply ?? null });
          }
          // amavisd refused every target: nothing happened, and the admin is told why, as for a single release.
          if (!results.some((r) => r.delivered)) {
            const said = targets.map((t, i) => `${t.email}: ${outcomes[i]?.summary ?? 'no answer for this recipient'}`).join('; ');
            throw new AppError(502, 'release_failed', `amavisd did not release the message: ${said}`, { results });
          }
          // Every verdict is audited before any write: amavisd's answers stand even if a write fails. Only a
          // copy released to its own recipient counts as released; a copy sent elsewhere does not.
          for (const [i, t] of targets.entries()) {
            if (results[i]?.delivered && t.rseqnum !== undefined) await amavis.rs.apply({ ...ref, rseqnum: t.rseqnum }, 'release', { transaction });
          }
          return { id, results };
        });
        for (const attempt of attempts.values()) attempt.marked = attempt.outcome === 'delivered';
        return outcome;
      } finally {
        // Marked only if the transaction committed; a delivered copy left unmarked keeps its claim.
        for (const c of claimed) {
          const attempt = attemptOf(c);
          await turns.settle(c.intent, attempt);
        }
      }
    });
  }

  return {
    release(user, id, options = {}) {
      // Keyed by user too: a shared attempt must never hand one user's result to another unchecked.
      const flightKey = `${user.email}\n${id}\n${options.confirmUnknown ? 'confirmed' : 'plain'}`;
      let attempt = inFlight.get(flightKey);
      if (!attempt) {
        attempt = releaseCopy(user, id, 'release', options).finally(() => inFlight.delete(flightKey));
        inFlight.set(flightKey, attempt);
      }
      return attempt;
    },

    releaseRequested: (admin, id) => releaseCopy(admin, id, 'approve'),

    releaseAsAdmin,

    ...createCopyRemoval({ ...deps, staleBefore: () => turns.staleBefore() }),
  };
}
