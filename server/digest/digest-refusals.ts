import type { DigestModels } from '../db/digest-models';

/**
 * Permanent refusals (an SMTP/LMTP 5xx: no such mailbox, a mailbox that refuses mail): the sent-log marks
 * them `refused`. An address refused again and again (a local recipient that has no mailbox, e.g. a
 * catch-all alias amavisd sees but the mail server does not) would otherwise be tried, and logged as a
 * failure, every period for as long as spam keeps arriving for it. So after the n-th refusal in a row its
 * next try waits 2^(n-1) periods (one, two, four, …), at most 30 days and never less than one period; a
 * delivered digest ends the streak, and `npm run digest -- --user <address> --now` tries at once.
 */
export const MAX_REFUSAL_WAIT_MS = 30 * 86_400_000;
/** Refusals counted back in the sent-log: beyond these, the wait is at its cap anyway. */
const COUNTED = 12;

/** An address whose latest digests were refused, as the run's report (`--json`) shows it to an admin. */
export interface DigestRefusal {
  address: string;
  /** Permanent refusals in a row (counted up to 12). */
  refusals: number;
  /** The mail server's answer to the latest one. */
  reply: string;
  refusedAt: string;
  /** When the next digest may be tried (if something new has arrived by then). */
  nextTryAt: string;
}

/** How long after the n-th refusal in a row the next try waits. */
export function refusalWaitMs(periodMs: number, refusals: number): number {
  return Math.max(periodMs, Math.min(MAX_REFUSAL_WAIT_MS, periodMs * 2 ** Math.min(Math.max(refusals, 1) - 1, 20)));
}

/** The address's refusals in a row, from the newest rows of the sent-log (its (address, id) index); undefined when the latest attempt was not refused. */
export async function refusalOf(models: DigestModels, address: string, periodMs: number): Promise<DigestRefusal | undefined> {
  const rows = await models.Log.findAll({ where: { address }, order: [['id', 'DESC']], limit: COUNTED, attributes: ['status', 'claimed_at', 'detail'] });
  let refusals = 0;
  while (refusals < rows.length && rows[refusals]!.status === 'refused') refusals++;
  const last = rows[0];
  if (!refusals || !last) return undefined;
  const at = new Date(last.claimed_at).getTime();
  return {
    address,
    refusals,
    reply: last.detail ?? '',
    refusedAt: new Date(at).toISOString(),
    nextTryAt: new Date(at + refusalWaitMs(periodMs, refusals)).toISOString(),
  };
}
