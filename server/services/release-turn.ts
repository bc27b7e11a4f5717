import type { SessionUser } from '../../shared/session';
import type { MessageRef } from '../amavis/message-ref';
import type { AmavisStore } from '../amavis/store';
import type { AuditEntry, AuditLog } from '../db/audit-log';
import type { IntentOutcome, ReleaseIntent, ReleaseIntentStore, ReleaseTarget } from '../db/release-intents';
import { AppError } from '../errors';
import type { Logger } from '../logger';

/**
 * A process-wide cap on concurrent work: `take()` resolves with a release function once a slot is
 * free, or with undefined when none frees up within `waitMs`.
 */
function createSlots(max: number, waitMs: number): { take(): Promise<(() => void) | undefined> } {
  let active = 0;
  const queue: Array<() => void> = [];
  const free = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  return {
    take() {
      if (active < max) {
        active++;
        return Promise.resolve(free);
      }
      return new Promise((resolve) => {
        const turn = () => {
          clearTimeout(timer);
          resolve(free);
        };
        const timer = setTimeout(() => {
          queue.splice(queue.indexOf(turn), 1);
          resolve(undefined);
        }, waitMs);
        queue.push(turn);
      });
    },
  };
}

/** Runs a release's work in its turn; see createReleaseTurns. */
export type ReleaseTurn = <T>(user: SessionUser, ref: MessageRef, recipients: string[], work: (entries: AuditEntry[]) => Promise<T>) => Promise<T>;

/** What a release learned of one attempt, for its record: set by the work as it goes. */
export interface AttemptOutcome {
  outcome: IntentOutcome;
  reply: string | null;
  /** The copy was marked released (rs='R') in a committed transaction. */
  marked: boolean;
}

/** The answer of a claim: an attempt recorded and ours to send, or the copy found already released. */
export type Claim = { intent: ReleaseIntent } | { alreadyReleased: true };

/** The 409 of a copy whose last release got no answer: it may be in the inbox already. */
export function outcomeUnknown(held: ReleaseIntent): AppError {
  const at = held.sentAt.toISOString();
  return new AppError(
    409,
    'release_outcome_unknown',
    `a release of this message was sent at ${at} by ${held.actor || 'someone'} and no answer came back; look in the inbox before you release it again (confirmUnknown)`,
    { sentAt: at, by: held.actor },
  );
}

export interface ReleaseTurns {
  inTurn: ReleaseTurn;
  /**
   * Records the attempt on `target` (committed, on the app database) before amavisd is asked. When an
   * earlier attempt holds the target: one in flight is waited for through the copy's row lock; one
   * whose outcome is unknown is a 409 unless the user confirmed; one that delivered without marking the
   * copy marks it now.
   */
  claim(user: SessionUser, target: ReleaseTarget, options: { confirmUnknown: boolean }): Promise<Claim>;
  /** Records the attempt's outcome; a failure to record is logged (the attempt then stays open, hence unknown). */
  settle(intent: ReleaseIntent, attempt: AttemptOutcome): Promise<void>;
  /** Whether an open attempt may still be running somewhere (sent after this instant: no). */
  staleBefore(): Date;
}

/**
 * The frame of every release: a turn among at most `max` concurrent AM.PDP exchanges in this process,
 * the durable record of each attempt (aq_release_intents), and the audit entries written at the end.
 * Every step uses one database connection at a time: the intent is written before the caller opens its
 * amavis transaction, and settled after that transaction ended.
 */
export function createReleaseTurns(deps: {
  amavis: AmavisStore;
  audit: AuditLog;
  intents: ReleaseIntentStore;
  logger: Logger;
  max: number;
  waitMs: number;
  /** After this long, an open attempt cannot be running any more: its process gave up or died. */
  staleAfterMs: number;
}): ReleaseTurns {
  const { amavis, intents } = deps;
  // A release holds a row lock and a connection while amavisd answers, so it takes its turn *before*
  // opening the transaction: queued releases hold nothing, and at most this many connections wait on amavisd.
  const pdpSlots = createSlots(deps.max, deps.waitMs);
  const staleBefore = () => new Date(Date.now() - deps.staleAfterMs);

  /** Writes audit entries; one that cannot be written is retried once, then kept in the log, never dropped silently. */
  async function writeAudit(entries: AuditEntry[]): Promise<void> {
    for (const entry of entries) {
      try {
        await deps.audit.record(entry);
      } catch {
        await deps.audit.record(entry).catch((err: unknown) => deps.logger.error({ err, auditEntry: entry }, 'audit entry could not be written'));
      }
    }
  }

  /**
   * Runs one release in its turn, then writes the audit entries `work` collected, whether it succeeded or
   * threw. The entries are written after every transaction of the work so that a release never holds two
   * connections at once (with a full pool, that deadlocks), and never inside one, where a rollback would
   * take them along.
   */
  async function inTurn<T>(user: SessionUser, ref: MessageRef, recipients: string[], work: (entries: AuditEntry[]) => Promise<T>): Promise<T> {
    const entries: AuditEntry[] = [];
    const done = await pdpSlots.take();
    try {
      if (!done) {
        for (const recipient of recipients.length > 0 ? recipients : [null]) {
          entries.push({ actor: user.email, action: 'release', ref, recipient, result: 'failed', detail: 'not attempted: too many releases in progress' });
        }
        throw new AppError(503, 'busy', 'too many releases are in progress; nothing was sent, try again in a few seconds');
      }
      return await work(entries);
    } catch (err) {
      // The database failed before amavisd was asked (a full pool, a cut connection): still an attempt.
      if (entries.length === 0 && !(err instanceof AppError)) {
        for (const recipient of recipients.length > 0 ? recipients : [null]) {
          entries.push({ actor: user.email, action: 'release', ref, recipient, result: 'failed', detail: `not attempted: ${(err as Error).message}` });
        }
      }
      throw err;
    } finally {
      done?.();
      await writeAudit(entries);
    }
  }

  async function claim(user: SessionUser, target: ReleaseTarget, { confirmUnknown }: { confirmUnknown: boolean }): Promise<Claim> {
    const ref = target.rseqnum === null ? undefined : { partitionTag: target.partitionTag, mailId: target.mailId, rseqnum: target.rseqnum };
    // A few rounds: each either takes the target, or learns more about its holder (which settles in a moment).
    for (let round = 0; round < 6; round++) {
      const opened = await intents.open(user.email, target);
      if ('intent' in opened) return opened;
      const held = opened.heldBy;
      const stale = held.status === 'open' && held.sentAt < staleBefore();
      if (held.status === 'unknown' || stale) {
        if (!confirmUnknown) throw outcomeUnknown(held);
        // The user looked and wants it sent again: the old attempt gives way (and stays unknown on record).
        await intents.yieldUnknown(held, staleBefore());
        continue;
      }
      if (!ref) throw new AppError(409, 'conflict', 'a release of this message to that address is in progress; try again once it has finished');
      // An attempt in flight holds the row lock during its AM.PDP exchange: reading the copy under that
      // lock waits for it to end, in this short transaction of our own (the lock is the order, not a timer).
      const rs = await amavis.copies.transaction(async (transaction) => {
        const [locked] = await amavis.copies.lockRecipients(ref, transaction, ref.rseqnum);
        if (locked && locked.rs !== 'R' && held.status === 'delivered') {
          // amavisd delivered, but the transaction that marks it did not commit (a cut connection): mark it now.
          return (await amavis.rs.apply(ref, 'release', { transaction })) ? 'R' : locked.rs;
        }
        return locked?.rs;
      });
      if (rs === undefined) throw new AppError(404, 'not_found', 'no such message in your quarantine');
      if (held.status === 'delivered') await intents.clearClaim(held.id);
      if (rs === 'R') return { alreadyReleased: true };
      if (held.status === 'delivered') continue;
      // The holder's transaction ended without marking the copy: it is recording a failure or an unknown
      // outcome right now. Look again after a pause that grows with each round.
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
    }
    throw new AppError(409, 'conflict', 'another release of this message is in progress; try again in a moment');
  }

  async function settle(intent: ReleaseIntent, attempt: AttemptOutcome): Promise<void> {
    // A delivery not marked on the copy keeps the target: a later release marks it instead of sending again.
    const options = { reply: attempt.reply, keepClaim: attempt.outcome === 'delivered' && !attempt.marked && intent.rseqnum !== null };
    try {
      await intents.settle(intent.id, attempt.outcome, options);
    } catch {
      await intents
        .settle(intent.id, attempt.outcome, options)
        .catch((err: unknown) => deps.logger.error({ err, intent: intent.id, outcome: attempt.outcome }, 'release outcome could not be recorded; it stays unknown'));
    }
  }

  return { inTurn, claim, settle, staleBefore };
}
