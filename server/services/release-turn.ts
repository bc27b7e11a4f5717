import type { SessionUser } from '../../shared/session';
import type { AmavisTransaction } from '../amavis/copies';
import type { MessageRef } from '../amavis/message-ref';
import type { AmavisStore } from '../amavis/store';
import type { AuditEntry, AuditLog } from '../db/audit-log';
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
export type ReleaseTurn = <T>(
  user: SessionUser,
  ref: MessageRef,
  recipients: string[],
  work: (transaction: AmavisTransaction, entries: AuditEntry[]) => Promise<T>,
) => Promise<T>;

/**
 * The frame of every release: a turn among at most `max` concurrent AM.PDP exchanges in this process,
 * one transaction on the amavis database, and the audit entries the work collected written after it.
 */
export function createReleaseTurns(deps: { amavis: AmavisStore; audit: AuditLog; logger: Logger; max: number; waitMs: number }): ReleaseTurn {
  const { amavis } = deps;
  // A release holds a row lock and a connection while amavisd answers, so it takes its turn *before*
  // opening the transaction: queued releases hold nothing, and at most this many connections wait on amavisd.
  const pdpSlots = createSlots(deps.max, deps.waitMs);

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
   * Runs one release in its turn and in one transaction, then writes the audit entries `work` collected,
   * whether it committed or threw. The entries are written after the transaction so that a release never
   * holds two connections at once (with a full pool, that deadlocks), and never inside it, where a
   * rollback would take them along.
   */
  return async function inTurn<T>(
    user: SessionUser,
    ref: MessageRef,
    recipients: string[],
    work: (transaction: AmavisTransaction, entries: AuditEntry[]) => Promise<T>,
  ): Promise<T> {
    const entries: AuditEntry[] = [];
    const done = await pdpSlots.take();
    try {
      if (!done) {
        for (const recipient of recipients.length > 0 ? recipients : [null]) {
          entries.push({ actor: user.email, action: 'release', ref, recipient, result: 'failed', detail: 'not attempted: too many releases in progress' });
        }
        throw new AppError(503, 'busy', 'too many releases are in progress; nothing was sent, try again in a few seconds');
      }
      return await amavis.copies.transaction((transaction) => work(transaction, entries));
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
  };
}
