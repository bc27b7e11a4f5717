import { timingSafeEqual } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { MessageDetail } from '../../shared/message';
import type { SessionUser } from '../../shared/session';
import { AppError } from '../errors';
import { encodeMessageRef } from './message-ref';
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
export function createSelfService(deps: { sequelize: Sequelize; messages: MessageService; release: ReleaseService; requests: ReleaseRequestService }): SelfService {
  async function resolve(link: SelfServiceLink): Promise<{ user: SessionUser; id: string }> {
    const recipient = link.recipient.trim().toLowerCase();
    const rows = await deps.sequelize.query<{ partition_tag: number; secret_id: Buffer | string; rseqnum: number }>(
      `SELECT m.partition_tag AS partition_tag, m.secret_id AS secret_id, mr.rseqnum AS rseqnum
  FROM msgs m
  JOIN msgrcpt mr ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
  JOIN maddr r ON r.id = mr.rid
  WHERE m.mail_id = :m AND r.email = :rcpt AND m.quar_type = 'Q' AND m.content IS NOT NULL${link.partitionTag === undefined ? '' : ' AND m.partition_tag = :p'}
  LIMIT 2`,
      { type: QueryTypes.SELECT, replacements: { m: Buffer.from(link.mailId), rcpt: Buffer.from(recipient), p: link.partitionTag } },
    );
    // Checked for every candidate row, in constant time, so timing tells nothing about the secret.
    const match = rows.find((row) => {
      const stored = Buffer.from(Buffer.isBuffer(row.secret_id) ? row.secret_id : String(row.secret_id));
      const given = Buffer.from(link.secretId);
      return stored.length > 0 && stored.length === given.length && timingSafeEqual(stored, given);
    });
    if (!match || rows.length > 1) throw NOT_FOUND();
    return {
      user: { email: recipient, role: 'user', addresses: [recipient], domains: [] },
      id: encodeMessageRef({ partitionTag: Number(match.partition_tag), mailId: link.mailId, rseqnum: Number(match.rseqnum) }),
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
