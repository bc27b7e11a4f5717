import { timingSafeEqual } from 'node:crypto';
import type { MessageDetail } from '../../shared/message';
import type { SessionUser } from '../../shared/session';
import { AppError } from '../errors';
import { binaryText } from '../amavis/binary';
import type { LinkCopies } from '../amavis/link-copies';
import { encodeMessageRef, type MessageRef } from '../amavis/message-ref';
import type { AmavisStore } from '../amavis/store';
import { verifyLinkToken } from './link-token';
import type { MessageService } from './messages';
import type { ReleaseRequestService } from './release-requests';
import type { ReleaseService } from './release';
import type { SenderListService } from './sender-lists';

/**
 * What a self-service link carries: our signed token (one recipient's copy, an expiry), or amavis's plain
 * triple (mail_id, secret_id, rcpt) that amavisd's own notification templates can write.
 */
export type SelfServiceLink = { token: string } | { mailId: string; secretId: string; recipient: string; partitionTag?: number | undefined };

export type SelfServiceAction = 'release' | 'delete' | 'request' | 'allow' | 'block';

export interface SelfService {
  /** The message as its recipient sees it; never changes its status. A plain link's item offers no actions. */
  view(link: SelfServiceLink): Promise<MessageDetail>;
  act(link: SelfServiceLink, action: SelfServiceAction): Promise<{ status: string }>;
}

/** Why a link names no copy: its page says which (details.reason), in the link's language. */
export type LinkRefusal = 'invalid' | 'expired' | 'gone';

const NOT_FOUND = (reason: LinkRefusal = 'invalid', message = 'this link is not valid (any more)') => new AppError(404, 'not_found', message, { reason });

/**
 * Self-service links for people who are not signed in. Each acts as a user who owns exactly the one
 * recipient address of one msgrcpt row, through the same scoped services as everyone else.
 *
 * amavis's secret_id belongs to the whole message, so a plain link proves nothing about who is asking: it
 * only views, and only a message with a single recipient (for several, it answers 404 like any wrong link,
 * so it tells nobody whether an address, a Bcc, got the mail). Acting needs our signed token, which names
 * the recipient's row itself.
 */
export function createSelfService(deps: {
  amavis: AmavisStore;
  linkCopies: LinkCopies;
  messages: MessageService;
  release: ReleaseService;
  requests: ReleaseRequestService;
  /** Allow and block the copy's sender for its recipient (digest links). */
  senderLists?: SenderListService | undefined;
  links: { secret: string | undefined; maxAgeDays: number };
  now?: () => number;
}): SelfService {
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  const asRecipient = (recipient: string, ref: MessageRef) => {
    const email = recipient.toLowerCase();
    const user: SessionUser = { email, role: 'user', addresses: [email], domains: [] };
    return { user, id: encodeMessageRef(ref) };
  };

  async function resolveToken(token: string) {
    if (!deps.links.secret) throw NOT_FOUND();
    const check = verifyLinkToken(token, deps.links.secret, now());
    if (!check.ok) throw check.reason === 'expired' ? NOT_FOUND('expired', 'this link has expired; sign in to see your quarantine') : NOT_FOUND();
    // A lifetime longer than we ever sign means a leaked secret or a wrong clock: refuse it.
    if (check.expiresAt > now() + deps.links.maxAgeDays * 86_400 + 60) throw NOT_FOUND();
    const row = await deps.amavis.copies.find(check.ref, undefined, { includeDeleted: true });
    if (!row) throw NOT_FOUND('gone', 'this message is no longer kept');
    return { ...asRecipient(binaryText(row.recipient), check.ref), mayAct: true };
  }

  async function resolvePlain(link: Extract<SelfServiceLink, { mailId: string }>) {
    const rows = await deps.linkCopies.recipientsOf(link.mailId, link.partitionTag);
    const row = rows.length === 1 ? rows[0] : undefined;
    // Compared in constant time whatever the row, so timing tells nothing about the secret.
    const given = Buffer.from(link.secretId);
    const secretOk = row !== undefined && row.secretId.length === given.length && timingSafeEqual(row.secretId, given);
    if (!row || !secretOk || row.recipient !== link.recipient.trim().toLowerCase()) throw NOT_FOUND();
    return { ...asRecipient(row.recipient, { partitionTag: row.partitionTag, mailId: link.mailId, rseqnum: row.rseqnum }), mayAct: false };
  }

  const resolve = (link: SelfServiceLink) => ('token' in link ? resolveToken(link.token) : resolvePlain(link));

  return {
    async view(link) {
      const { user, id, mayAct } = await resolve(link);
      // A GET must change nothing: mail scanners and link previews open every link in a mail.
      const detail = await deps.messages.view(user, id, { withReceived: false, markViewed: false });
      return mayAct ? detail : { ...detail, item: { ...detail.item, actions: [] } };
    },
    async act(link, action) {
      const { user, id, mayAct } = await resolve(link);
      if (!mayAct) throw new AppError(403, 'forbidden', 'this link can only show the message; sign in to release or delete it');
      if (action === 'release') return { status: (await deps.release.release(user, id)).status };
      if (action === 'delete') return { status: (await deps.release.remove(user, id)).status };
      if (action === 'allow' || action === 'block') {
        if (!deps.senderLists) throw new AppError(403, 'forbidden', 'sender lists are not available from links here');
        // For the copy's own recipient, as that user's "Allow sender" / "Block sender" in the widget.
        const change = await deps.senderLists.fromMessage(user, id, action, {});
        return { status: change.entry.list === 'allow' ? 'allowed' : 'blocked' };
      }
      return { status: (await deps.requests.request(user, id)).status };
    },
  };
}
