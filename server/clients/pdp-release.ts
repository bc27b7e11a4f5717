/**
 * The AM.PDP release exchange as pure functions: the request we send, and what amavisd's reply means for
 * each recipient. The release service and the health probe both go through here, so they cannot come to
 * read the same reply two ways.
 */
import type { SmtpReply } from '../../shared/release';
import type { PdpError } from './pdp-error';
import type { PdpField, PdpReply } from './pdp-protocol';

/** What to release, from the msgs row (mail_id, secret_id, partition_tag) and to whom. */
export interface PdpReleaseRequest {
  mailId: string;
  secretId: string;
  partitionTag: number;
  /** Bare or `<…>`-quoted addresses; never empty (see buildReleaseRequest). */
  recipients: readonly string[];
  /** Who asked: amavisd puts it in Resent-From. */
  requestedBy: string;
  /** msgs.quar_type; 'Q' (SQL) unless told otherwise. */
  quarType?: string;
}

/**
 * What amavisd's reply says happened for one recipient:
 * - delivered: the re-injecting MTA took it (2xx);
 * - refused: the MTA said no for good (5xx), or amavisd sent nothing ("250 2.5.0 No recipients");
 * - temporary: a 4xx, e.g. a secret_id mismatch or an unknown mail_id (then `gone`);
 * - unknown: amavisd answered, but not for this recipient (or with a code that is no final answer).
 */
export type ReleaseVerdict = 'delivered' | 'refused' | 'temporary' | 'unknown';

/** One recipient's outcome of a release, in the order the recipients were named. */
export interface RecipientReleaseOutcome {
  recipient: string;
  verdict: ReleaseVerdict;
  reply: SmtpReply | null;
  /** amavisd has no quarantined copy of this mail_id any more ("Can't open sql obj for reading"). */
  gone: boolean;
  /** The reply on one line, for the audit log and error messages. */
  summary: string;
}

/**
 * How a failed exchange (a thrown PdpError) bears on the release:
 * - unavailable: nothing reached amavisd, so it cannot have acted; saying "not released" is true;
 * - unknown: the request went out (or we stopped waiting), so it may have been delivered, now or later.
 */
export type PdpFailure = 'unavailable' | 'unknown';

const NO_ANSWER = 'amavisd gave no answer for this recipient';

/** Quotes an address the way AM.PDP wants it (`<a@b>`), leaving an already quoted one alone. */
function quoted(address: string, what: string): string {
  const bare = address
    .trim()
    .replace(/^<(.*)>$/s, '$1')
    .trim();
  if (bare === '') throw new Error(`AM.PDP release: ${what} is empty`);
  return `<${bare}>`;
}

/**
 * Builds an AM.PDP release request. Throws when no recipient is named: without a `recipient` line,
 * amavisd re-sends the mail to every originally blocked recipient, which is never what one user asked for.
 */
export function buildReleaseRequest(request: PdpReleaseRequest): PdpField[] {
  if (request.recipients.length === 0) {
    throw new Error('AM.PDP release: no recipient named; amavisd would re-send the mail to every blocked recipient');
  }
  if (!Number.isInteger(request.partitionTag)) throw new Error(`AM.PDP release: partition_tag must be an integer, got ${request.partitionTag}`);
  return [
    ['request', 'release'],
    ['mail_id', request.mailId],
    ['secret_id', request.secretId],
    // Required when several msgs rows share a mail_id; harmless otherwise.
    ['partition_tag', String(request.partitionTag)],
    ['quar_type', request.quarType || 'Q'],
    ...request.recipients.map((r) => ['recipient', quoted(r, 'a recipient')] as const),
    ['requested_by', quoted(request.requestedBy, 'requested_by')],
  ];
}

/**
 * True when a setreply says the mail was delivered: a 2xx from the re-injecting MTA. amavisd's
 * "250 2.5.0 No recipients, nothing to do" is a 2xx too, but nothing was sent.
 */
export function isDelivered(reply: SmtpReply | null | undefined): boolean {
  return Boolean(reply && reply.code >= 200 && reply.code < 300 && !isNothingToDo(reply));
}

const isNothingToDo = (reply: SmtpReply) => reply.enhanced === '2.5.0' && /no recipients/i.test(reply.text);

/** One setreply on one line: `450 4.5.0 Failure: …`. */
export function describeSmtpReply(reply: SmtpReply): string {
  return `${reply.code} ${reply.enhanced ?? ''} ${reply.text}`.replace(/\s+/g, ' ').trim();
}

function verdictOf(reply: SmtpReply | null): ReleaseVerdict {
  if (!reply) return 'unknown';
  if (isDelivered(reply)) return 'delivered';
  if (reply.code >= 400 && reply.code < 500) return 'temporary';
  if (reply.code >= 500 && reply.code < 600) return 'refused';
  // "No recipients, nothing to do": amavisd sent nothing, and asking again the same way changes nothing.
  if (isNothingToDo(reply)) return 'refused';
  return 'unknown';
}

/**
 * Reads amavisd's reply to a release: one outcome per recipient, in the order they were named.
 * amavisd answers one setreply per named recipient, in order. When it fails the request as a whole (a
 * secret_id mismatch, an unknown mail_id), its error handler sends a single setreply, which answers for
 * every recipient. A lone *delivery* never stands for the others: amavisd does not send one, and taking
 * it for all would show mail as released that was not.
 */
export function interpretReleaseReply(reply: PdpReply, recipients: readonly string[]): RecipientReleaseOutcome[] {
  const replies = reply.setReplies;
  const lone = replies.length === 1 && !isDelivered(replies[0]) ? replies[0] : undefined;
  return recipients.map((recipient, i) => {
    const answer = replies[i] ?? lone ?? null;
    const verdict = verdictOf(answer);
    return {
      recipient,
      verdict,
      reply: answer,
      gone: answer !== null && verdict !== 'delivered' && /can't open sql obj/i.test(answer.text),
      summary: answer ? describeSmtpReply(answer) : NO_ANSWER,
    };
  });
}

/**
 * Tells whether amavisd may have acted on a request that failed. A reply timeout or any failure after
 * the request went out is 'unknown'; an SMTP listener is the exception, since it rejects our lines as
 * bad syntax and cannot release anything.
 */
export function classifyPdpError(err: Pick<PdpError, 'kind' | 'sent'>): PdpFailure {
  return err.kind === 'reply_timeout' || (err.sent && err.kind !== 'smtp_listener') ? 'unknown' : 'unavailable';
}
