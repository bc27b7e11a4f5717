import { Op, UniqueConstraintError } from 'sequelize';
import type { AppModels, ReleaseIntentRow } from './app-models';

/** One release attempt, as recorded before amavisd was asked (see ReleaseIntentRow). */
export interface ReleaseIntent {
  id: number;
  sentAt: Date;
  actor: string;
  partitionTag: number;
  mailId: string;
  rseqnum: number | null;
  recipient: string;
  status: ReleaseIntentRow['status'];
  reply: string | null;
}

/** Where an attempt goes: one recipient's copy (rseqnum), or, for an admin, another address (rseqnum null). */
export interface ReleaseTarget {
  partitionTag: number;
  mailId: string;
  rseqnum: number | null;
  recipient: string;
}

/** The outcome of an attempt, once known (or once known to be unknowable). */
export type IntentOutcome = 'delivered' | 'refused' | 'unknown' | 'not_sent';

/**
 * The claim a target's attempt holds: a copy is named by its key, another address by the message and
 * the address (a second release to it would be a second copy in that mailbox just the same).
 */
export function claimOf(target: Omit<ReleaseTarget, 'recipient'> & { recipient?: string }): string {
  const message = `${target.partitionTag}:${target.mailId}`;
  return target.rseqnum === null ? `${message}:to:${(target.recipient ?? '').toLowerCase()}` : `${message}:${target.rseqnum}`;
}

export interface ReleaseIntentStore {
  /**
   * Records an attempt, committed, before amavisd is asked. When an earlier attempt on the same target
   * still holds it (open, unknown, or delivered but not yet marked), nothing is written: `heldBy` says which.
   */
  open(actor: string, target: ReleaseTarget): Promise<{ intent: ReleaseIntent } | { heldBy: ReleaseIntent }>;
  /** Records the outcome; the target is freed unless it may have been delivered unmarked (`keepClaim`). */
  settle(id: number, outcome: IntentOutcome, options?: { reply?: string | null; keepClaim?: boolean }): Promise<void>;
  /**
   * A person confirmed a release whose outcome is unknown: the old attempt gives up the target (and stays
   * `unknown` in the record) so that a new one can take it. Only an attempt that is unknown, or open since
   * before `staleBefore` (its process died), gives way; true when it did.
   */
  yieldUnknown(held: ReleaseIntent, staleBefore: Date): Promise<boolean>;
  /** Frees the target of a delivered attempt once its copy is marked released. */
  clearClaim(id: number): Promise<void>;
  /** The attempts holding these copies (by claimOf), in one query: for a page of the list. */
  heldFor(claims: readonly string[]): Promise<Map<string, ReleaseIntent>>;
  /** On start: every attempt left open (a crash, a lost connection) becomes unknown; returns them. */
  abandonOpen(): Promise<ReleaseIntent[]>;
}

function toIntent(row: ReleaseIntentRow): ReleaseIntent {
  return {
    id: Number(row.id),
    sentAt: new Date(row.sent_at),
    actor: row.actor,
    partitionTag: Number(row.partition_tag),
    mailId: row.mail_id,
    rseqnum: row.rseqnum === null ? null : Number(row.rseqnum),
    recipient: row.recipient,
    status: row.status,
    reply: row.reply,
  };
}

/** Creates the store of release attempts on our aq_release_intents table. */
export function createReleaseIntentStore(models: AppModels): ReleaseIntentStore {
  const { ReleaseIntent } = models;
  // Every copy a release attempt still holds (open, or unknown), read at most once a second per instance
  // instead of once per listed page: a page then costs no query on the app database. This instance's own
  // changes drop it at once; another instance's show within a second. null: too many to keep.
  let holders: { at: number; all: Promise<Map<string, ReleaseIntent> | null> } | undefined;
  const forget = () => {
    holders = undefined;
  };
  const allHeld = () => {
    if (!holders || Date.now() - holders.at > 1_000) {
      const all = ReleaseIntent.findAll({ where: { claim: { [Op.ne]: null } }, limit: 1_001, raw: true }).then((rows) =>
        rows.length > 1_000 ? null : new Map(rows.map((row) => [String(row.claim), toIntent(row)])),
      );
      const entry = { at: Date.now(), all };
      holders = entry;
      // A change of this instance's during the read has dropped `entry` already (forget): the next page reads again.
      all.catch(() => {
        if (holders === entry) holders = undefined;
      });
    }
    return holders.all;
  };
  /** Runs a change to the attempts: the cached holders are dropped before and after it. */
  const changing = <T>(work: () => Promise<T>): Promise<T> => {
    forget();
    return work().finally(forget);
  };
  const held = async (claim: string) => {
    const row = await ReleaseIntent.findOne({ where: { claim } });
    return row ? toIntent(row.get({ plain: true }) as ReleaseIntentRow) : undefined;
  };

  return {
    open(actor, target) {
      return changing(async () => {
        const claim = claimOf(target);
        // Two tries: the holder may settle between our insert and our look at it.
        for (let attempt = 0; ; attempt++) {
          try {
            const row = await ReleaseIntent.create({ sent_at: new Date(), actor, ...toColumns(target), status: 'open', claim, reply: null, settled_at: null });
            return { intent: toIntent(row.get({ plain: true }) as ReleaseIntentRow) };
          } catch (err) {
            if (!(err instanceof UniqueConstraintError)) throw err;
            const holder = await held(claim);
            if (holder) return { heldBy: holder };
            if (attempt > 0) throw err;
          }
        }
      });
    },

    settle(id, outcome, { reply = null, keepClaim = false } = {}) {
      const free = !keepClaim && outcome !== 'unknown';
      return changing(async () => {
        await ReleaseIntent.update({ status: outcome, reply, settled_at: new Date(), ...(free ? { claim: null } : {}) }, { where: { id } });
      });
    },

    yieldUnknown(intent, staleBefore) {
      return changing(async () => {
        const [affected] = await ReleaseIntent.update(
          // An open attempt that gives way is recorded as unknown: no answer ever came.
          { claim: null, status: 'unknown', settled_at: new Date() },
          { where: { id: intent.id, [Op.or]: [{ status: 'unknown' }, { status: 'open', sent_at: { [Op.lt]: staleBefore } }] } },
        );
        return affected === 1;
      });
    },

    clearClaim(id) {
      return changing(async () => {
        await ReleaseIntent.update({ claim: null }, { where: { id } });
      });
    },

    async heldFor(claims) {
      if (claims.length === 0) return new Map();
      const all = await allHeld();
      if (all) return new Map(claims.flatMap((claim) => (all.has(claim) ? [[claim, all.get(claim) as ReleaseIntent]] : [])));
      const rows = await ReleaseIntent.findAll({ where: { claim: [...new Set(claims)] }, raw: true });
      return new Map(rows.map((row) => [String(row.claim), toIntent(row)]));
    },

    abandonOpen() {
      return changing(async () => {
        const open = await ReleaseIntent.findAll({ where: { status: 'open' }, raw: true });
        const abandoned: ReleaseIntent[] = [];
        for (const row of open) {
          // Guarded: an attempt that settled meanwhile (another instance still running) keeps its outcome.
          const [affected] = await ReleaseIntent.update({ status: 'unknown', settled_at: new Date() }, { where: { id: row.id, status: 'open' } });
          if (affected === 1) abandoned.push({ ...toIntent(row), status: 'unknown' });
        }
        return abandoned;
      });
    },
  };
}

function toColumns(target: ReleaseTarget) {
  return { partition_tag: target.partitionTag, mail_id: target.mailId, rseqnum: target.rseqnum, recipient: target.recipient.toLowerCase() };
}
