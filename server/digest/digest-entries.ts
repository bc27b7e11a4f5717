import type { DigestLanguage } from '../../shared/digest';
import type { SessionUser } from '../../shared/session';
import { binaryText } from '../amavis/binary';
import { presentItem } from '../presenters/quarantine-item';
import { signLinkToken } from '../services/link-token';
import type { ReleasePolicy } from '../services/policy';
import type { DigestEntry, DigestLinkAction } from './digest-mail';
import type { DigestRow } from './digest-scan';

/** What links need: the API's public address and the link secret, with self-service links on; otherwise a digest has none. */
export interface DigestLinkSettings {
  apiUrl: string | undefined;
  secret: string | undefined;
  maxAgeDays: number;
  selfService: boolean;
}

/**
 * The digest's entries: each row as its recipient sees it (the actions their release policy allows), with
 * links signed for that recipient's copy. The link names the action the page puts first and the digest's
 * language, which are not secret: the signed token alone decides what may be done, and the page asks again.
 */
export function digestEntries(
  rows: readonly DigestRow[],
  options: { nowSeconds: number; retentionDays: number; policy: ReleasePolicy; language: DigestLanguage; links: DigestLinkSettings; unconfirmedTo: number },
): DigestEntry[] {
  const { links } = options;
  const canLink = Boolean(links.apiUrl && links.secret && links.selfService);
  return rows.map((row) => {
    const recipient = binaryText(row.recipient).toLowerCase();
    const user: SessionUser = { email: recipient, role: 'user', addresses: [recipient], domains: [] };
    const item = presentItem(row, { retentionDays: options.retentionDays, user, policy: options.policy }, options.nowSeconds);
    const entry: DigestEntry = { item, links: {}, ...(Number(row.list_id) <= options.unconfirmedTo ? { again: true } : {}) };
    if (!canLink || !links.secret) return entry;
    const ref = { partitionTag: Number(row.partition_tag), mailId: binaryText(row.mail_id), rseqnum: Number(row.rseqnum) };
    const token = signLinkToken(links.secret, ref, options.nowSeconds + links.maxAgeDays * 86_400);
    const urlOf = (action: DigestLinkAction) => `${links.apiUrl}/self-service?${new URLSearchParams({ token, action, lang: options.language })}`;
    const actions: DigestLinkAction[] = [];
    if (item.actions.includes('release')) actions.push('release');
    else if (item.actions.includes('request')) actions.push('request');
    if (item.actions.includes('delete')) actions.push('delete');
    if (item.envelopeFrom || item.headerFrom) actions.push('allow', 'block');
    for (const action of actions) entry.links[action] = urlOf(action);
    return entry;
  });
}
