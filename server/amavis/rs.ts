import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { MessageRef } from './message-ref';
import { followRsSql } from './list-index-sql';
import { readListIndexState } from './list-indexer';
import { recordRsChange } from './stats-rollup';

/**
 * The one writer of `msgrcpt.rs`, amavis's per-recipient release status. amavisd writes it blank and
 * never touches it again; quarantine managers (we, MailZu, modoboa) share the letters: V viewed, p
 * release requested, R released, D deleted (MailZu writes lowercase v).
 *
 * Every change is a named transition with the states it may start from, written as one
 * `UPDATE … WHERE rs IN (…)`: the database decides, atomically, whether the copy was still in a state that
 * allows it, and the affected-row count is the answer. No caller reads rs and then writes it.
 *
 *   new ('' or ' ') ──view──▶ V
 *   new, V ──request──▶ p ──withdraw──▶ back to new or V (cancelled or denied)
 *   new, V, p ──release──▶ R        p ──approve──▶ R (only a copy still waiting for that decision)
 *   new, V, p, R ──delete──▶ D       D is final: a deleted copy is never released
 */
export const RS_TRANSITIONS = {
  view: { from: ['', ' '], to: 'V' },
  request: { from: ['', ' ', 'V', 'v'], to: 'p' },
  withdraw: { from: ['p'], to: 'previous' },
  release: { from: ['', ' ', 'V', 'v', 'p'], to: 'R' },
  approve: { from: ['p'], to: 'R' },
  delete: { from: ['', ' ', 'V', 'v', 'p', 'R'], to: 'D' },
} as const satisfies Record<string, { from: readonly string[]; to: string }>;

export type RsTransition = keyof typeof RS_TRANSITIONS;

/** The rs a withdrawn request goes back to: only blank or V were ever left for p. */
export type PreviousRs = '' | 'V';

/** Whether a copy whose rs is `rs` may take this transition (for a row read under a lock, or a pure check). */
export function canTransition(rs: string | null | undefined, transition: RsTransition): boolean {
  return (RS_TRANSITIONS[transition].from as readonly string[]).includes(rs ?? '');
}

/** The rs to go back to when a request is withdrawn, from the rs the copy had when it was requested. */
export function previousRsOf(rs: string | null | undefined): PreviousRs {
  return rs === 'V' || rs === 'v' ? 'V' : '';
}

export interface RsWriter {
  /**
   * Applies the transition to one recipient's copy if, and only if, its rs allows it now. Returns true
   * when the row changed; false when the copy was in another state (or is gone): the caller says why.
   */
  apply(ref: MessageRef, transition: RsTransition, options?: { previous?: PreviousRs; transaction?: Transaction }): Promise<boolean>;
}

/**
 * Creates the guarded writer of msgrcpt.rs. When the list index is installed, the copy's list row
 * follows in the same transaction: gone when deleted, else its new rs; and a release, request or delete
 * is recorded for the statistics (stats-rollup.ts).
 */
export function createRsWriter(sequelize: Sequelize): RsWriter {
  let listIndex: { at: number; present: Promise<boolean> } | undefined;
  const listed = () => {
    if (!listIndex || Date.now() - listIndex.at > 10_000) {
      listIndex = {
        at: Date.now(),
        present: readListIndexState(sequelize).then(
          (state) => state !== undefined,
          () => false,
        ),
      };
    }
    return listIndex.present;
  };
  return {
    async apply(ref, transition, options = {}) {
      const rule = RS_TRANSITIONS[transition];
      const to = rule.to === 'previous' ? (options.previous ?? '') : rule.to;
      const [, affected] = await sequelize.query('UPDATE msgrcpt SET rs = :to WHERE partition_tag = :p AND mail_id = :m AND rseqnum = :r AND rs IN (:from)', {
        type: QueryTypes.UPDATE,
        replacements: { to, p: ref.partitionTag, m: Buffer.from(ref.mailId), r: ref.rseqnum, from: [...rule.from] },
        ...(options.transaction ? { transaction: options.transaction } : {}),
      });
      if (Number(affected) !== 1) return false;
      if (await listed()) {
        await sequelize.query(followRsSql(to), {
          replacements: { to, p: ref.partitionTag, m: Buffer.from(ref.mailId), r: ref.rseqnum },
          ...(options.transaction ? { transaction: options.transaction } : {}),
        });
      }
      // Released, requested or deleted counts in the statistics exactly when this change commits.
      await recordRsChange(sequelize, ref, to, options.transaction);
      return true;
    },
  };
}
