import type { SessionUser } from '../../shared/session';
import type { AmavisTransaction } from '../amavis/copies';
import type { MessageRef } from '../amavis/message-ref';
import type { AmavisStore } from '../amavis/store';
import { PdpError, type PdpClient } from '../clients/amavis-pdp';
import { classifyPdpError, describeSmtpReply, type RecipientReleaseOutcome } from '../clients/pdp-release';
import type { AuditEntry } from '../db/audit-log';
import { AppError } from '../errors';
import type { AttemptOutcome } from './release-turn';

/** amavisd's answer for one recipient on one line, for an attempt's record and the audit log. */
export const describeReply = (result: RecipientReleaseOutcome | undefined) => (result?.reply ? describeSmtpReply(result.reply) : (result?.summary ?? null));

/** The steps of a release that talk to the quarantine and to amavisd, inside the release's own transaction. */
export function createReleaseExchange(deps: { amavis: AmavisStore; pdpFor: (host: string) => PdpClient }) {
  const { amavis } = deps;

  async function assertNotPurged(user: SessionUser, ref: MessageRef, recipients: string[], transaction: AmavisTransaction, entries: AuditEntry[]): Promise<void> {
    if (await amavis.copies.hasText(ref, transaction)) return;
    for (const recipient of recipients) {
      entries.push({ actor: user.email, action: 'release', ref, recipient, result: 'failed', detail: 'the quarantined copy was purged' });
    }
    throw new AppError(410, 'gone', 'the quarantined copy of this message has been purged');
  }

  /**
   * Sends one AM.PDP release for these recipients and returns amavisd's verdict for each, in order.
   * `attempts` learn, the moment the request may go out, that their outcome is unknown until amavisd
   * answers. When amavisd cannot be asked, every recipient's attempt is audited and the error says which case it is.
   */
  async function askAmavis(
    user: SessionUser,
    ref: MessageRef,
    recipients: string[],
    transaction: AmavisTransaction,
    entries: AuditEntry[],
    attempts: AttemptOutcome[],
    note?: string,
  ): Promise<RecipientReleaseOutcome[]> {
    const facts = await amavis.copies.releaseFacts(ref, transaction);
    for (const attempt of attempts) attempt.outcome = 'unknown';
    try {
      return await deps.pdpFor(facts.host).release({ mailId: ref.mailId, secretId: facts.secretId, partitionTag: ref.partitionTag, recipients, requestedBy: user.email });
    } catch (err) {
      if (!(err instanceof PdpError)) throw err;
      const unknown = classifyPdpError(err) === 'unknown';
      for (const attempt of attempts) {
        attempt.outcome = unknown ? 'unknown' : 'not_sent';
        attempt.reply = err.message;
      }
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

  return { assertNotPurged, askAmavis };
}
