import type { MessageDetail } from '../../shared/message';
import type { QuarantineItem } from '../../shared/quarantine';
import type { ReleaseRequestView } from '../../shared/requests';
import type { MessageKey } from '../i18n/en';
import type { ListAction } from './actions';

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;
/** What a warning reads of a message: a request's type is null once the message is gone, or 'other' (clean, unknown). */
type RiskFacts = Pick<QuarantineItem, 'headerFrom' | 'envelopeFrom'> & { type: QuarantineItem['type'] | 'other' | null | undefined };

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * A forged sender, as far as a listed message tells: the From header's domain and the envelope sender's are
 * unrelated (a newsletter's bounce domain is usually a subdomain of its From domain, and is not counted).
 */
export const forgedSender = (item: Pick<QuarantineItem, 'headerFrom' | 'envelopeFrom'>): boolean => {
  const from = domainOf(/<([^>]*)>/.exec(item.headerFrom)?.[1] ?? item.headerFrom);
  const envelope = domainOf(item.envelopeFrom);
  const related = (a: string, b: string) => a === b || a.endsWith(`.${b}`);
  return Boolean(from && envelope && !related(from, envelope) && !related(envelope, from));
};

/** How phishing shows in what amavis kept: a failed SPF, DKIM or DMARC check, or a From header that names another sender than the envelope. */
export const looksPhishy = (detail: MessageDetail): boolean => detail.senderMismatch || Object.values(detail.reason.auth).some((v) => v !== null && v.includes('fail'));

/** Only spam has a spam score worth showing: amavis stores 0 for a virus or a banned attachment it never gave to SpamAssassin. */
export const shownScore = (type: QuarantineItem['type'], score: number | null): number | null =>
  score !== null && (score !== 0 || type === 'spam' || type === 'spammy') ? score : null;

/**
 * What the user must read and confirm before an action, or undefined when one click is enough: releasing
 * a virus, a blocked attachment (a program) or phishing (from the opened message's `detail`; in the list,
 * a forged sender), and deleting several messages at once, which cannot be undone. "Not spam" releases,
 * so it asks what a release of the same messages would.
 */
export function warningFor(action: ListAction, items: readonly RiskFacts[], t: Translate, detail?: MessageDetail): string | undefined {
  if (action === 'delete') return items.length > 1 ? t('confirmDelete', { n: items.length }) : undefined;
  if (action !== 'release' && action !== 'not_spam') return undefined;
  const count = (type: RiskFacts['type']) => items.filter((i) => i.type === type).length;
  const [virus, banned] = [count('virus'), count('banned')];
  // Without the opened message (a list row, a bulk release), a forged sender is what can be seen of phishing.
  const phishy = detail ? (looksPhishy(detail) ? 1 : 0) : items.filter(forgedSender).length;
  const risks =
    items.length === 1
      ? [virus && t('risk_virus'), banned && t('risk_banned'), phishy && t('risk_phishing')]
      : [virus && t('bulk_virus', { n: virus }), banned && t('bulk_banned', { n: banned }), phishy && t('bulk_phishing', { n: phishy })];
  const text = risks.filter(Boolean).join(' ');
  return text ? (items.length > 1 ? `${t('confirmRelease', { n: items.length })} ${text}` : text) : undefined;
}

/**
 * What an admin must confirm before approving a release request, or undefined: the risk of the message it
 * releases, from what the request list carries (its type, and a forged sender; not the sender checks,
 * which only the opened message has).
 */
export const approvalWarning = (request: Pick<ReleaseRequestView, 'recipient' | 'type' | 'headerFrom' | 'envelopeFrom'>, t: Translate): string | undefined => {
  const risk = warningFor('release', [{ type: request.type, headerFrom: request.headerFrom ?? '', envelopeFrom: request.envelopeFrom ?? '' }], t);
  return risk && `${t('confirmReleaseTo', { to: request.recipient })} ${risk}`;
};
