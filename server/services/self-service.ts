import { timingSafeEqual } from 'node:crypto';
import type { MessageDetail } from '../../shared/message';
import type { SessionUser } from '../../shared/session';
import { AppError } from '../errors';
import { encodeMessageRef } from '../amavis/message-ref';
import type { AmavisStore } from '../amavis/store';
import type { MessageService } from './messages';
import type { ReleaseRequestService } from './release-requests';
import type { ReleaseService } from './release';

/** What a self-service link carries: one message, its secret, and one recipient. */
export interface SelfServiceLink {
  mailId: string;
  secretId: string;
  recipient: string;
  partitionTag?: number | undefined;
}

export interface SelfService {
  view(link: SelfServiceLink): Promise<MessageDetail>;
  act(link: SelfServiceLink, action: 'release' | 'delete' | 'request'): Promise<{ status: string }>;
}

const NOT_FOUND = () => new AppError(404, 'not_found', 'this link is not valid (any more)');

/**
 * Self-service links for people who are not signed in, as amavisd's notification templates can carry
 * them. The link proves possession of the message's secret_id, and it is bound to one recipient: it acts
 * as a user who owns exactly that address, through the same scoped services as everyone else.
 */
export function createSelfService(deps: { amavis: AmavisStore; messages: MessageService; release: ReleaseService; requests: ReleaseRequestService }): SelfService {
  async function resolve(link: SelfServiceLink): Promise<{ user: SessionUser; id: string }> {
    const recipient = link.recipient.trim().toLowerCase();
    const rows = await deps.amavis.copies.copiesForRecipient(link.mailId, recipient, link.partitionTag);
    // Checked for every candidate row, in constant time, so timing tells nothing about the secret.
    const given = Buffer.from(link.secretId);
    const match = rows.find((row) => row.secretId.length > 0 && row.secretId.length === given.length && timingSafeEqual(row.secretId, given));
    if (!match || rows.length > 1) throw NOT_FOUND();
    return {
      user: { email: recipient, role: 'user', addresses: [recipient], domains: [] },
      id: encodeMessageRef({ partitionTag: match.partitionTag, mailId: link.mailId, rseqnum: match.rseqnum }),
    };
  }

  return {
    async view(link) {
      const { user, id } = await resolve(link);
      return deps.messages.view(user, id, { withReceived: false });
    },
    async act(link, action) {
      const { user, id } = await resolve(link);
      if (action === 'release') return { status: (await deps.release.release(user, id)).status };
      if (action === 'delete') return { status: (await deps.release.remove(user, id)).status };
      return { status: (await deps.requests.request(user, id)).status };
    },
  };
}
