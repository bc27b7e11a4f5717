import { QueryTypes, type Sequelize } from 'sequelize';
import { binaryText } from '../db/binary';
import type { MessageDetail } from '../../shared/message';
import type { SessionUser } from '../../shared/session';
import { ROW_COLUMNS } from '../db/list-sql';
import type { RecipientIdResolver } from '../db/recipient-ids';
import type { AuditLog } from './audit';
import { AppError } from '../errors';
import { presentItem } from '../presenters/quarantine-item';
import { scopeOf } from './identity';
import { parseMail } from './mail-parse';
import { decodeMessageRef, type MessageRef } from './message-ref';
import type { ListRow } from './quarantine-list';

export interface MessageServiceOptions {
  recipientDelimiter: string | undefined;
  retentionDays: number;
  maxParseBytes: number;
}

/** A message row the user may see, with what the view needs beyond the listing. */
export interface AccessibleRow extends ListRow {
  rid: string;
}

/** Reading one quarantined message: the view and the raw download, both scoped to the user. */
export interface MessageService {
  /** Finds the row, scoped in SQL; a row outside the user's scope is not_found, exactly like a missing one. */
  findAccessible(user: SessionUser, id: string): Promise<{ ref: MessageRef; row: AccessibleRow }>;
  view(user: SessionUser, id: string, options: { withReceived: boolean }): Promise<MessageDetail>;
  /** The stored message, chunk by chunk in chunk_ind order, exactly as amavisd wrote it. */
  raw(user: SessionUser, id: string): Promise<{ filename: string; chunks: AsyncIterable<Buffer> }>;
}

const NOT_FOUND = () => new AppError(404, 'not_found', 'no such message in your quarantine');

/** Creates the message service. */
export function createMessageService(
  sequelize: Sequelize,
  resolver: RecipientIdResolver,
  audit: AuditLog,
  options: MessageServiceOptions,
): MessageService {
  async function findAccessible(user: SessionUser, id: string) {
    const ref = decodeMessageRef(id);
    if (!ref) throw NOT_FOUND();
    const rids = await resolver.forScope(scopeOf(user), options.recipientDelimiter);
    if (rids && rids.length === 0) throw NOT_FOUND();
    // Admins may open deleted rows (to audit them); users may not.
    const deleted = user.role === 'user' ? " AND mr.rs <> 'D'" : '';
    const [row] = await sequelize.query<AccessibleRow>(
      `SELECT ${ROW_COLUMNS}, mr.rid AS rid
  FROM msgrcpt mr
  JOIN msgs m ON m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id
  JOIN maddr r ON r.id = mr.rid
  LEFT JOIN maddr s ON s.id = m.sid
  WHERE mr.partition_tag = :p AND mr.mail_id = :m AND mr.rseqnum = :r
    AND m.quar_type = 'Q' AND m.content IS NOT NULL${deleted}${rids ? ' AND mr.rid IN (:rids)' : ''}`,
      { type: QueryTypes.SELECT, replacements: { p: ref.partitionTag, m: Buffer.from(ref.mailId), r: ref.rseqnum, ...(rids ? { rids } : {}) } },
    );
    if (!row) throw NOT_FOUND();
    return { ref, row };
  }

  async function* chunks(ref: MessageRef): AsyncIterable<Buffer> {
    // Batches keep memory flat for big messages; amavisd writes chunks of up to 16 KB.
    let last = -1;
    for (;;) {
      const rows = await sequelize.query<{ chunk_ind: number; mail_text: Buffer }>(
        'SELECT chunk_ind, mail_text FROM quarantine WHERE partition_tag = :p AND mail_id = :m AND chunk_ind > :last ORDER BY chunk_ind LIMIT 64',
        { type: QueryTypes.SELECT, replacements: { p: ref.partitionTag, m: Buffer.from(ref.mailId), last } },
      );
      for (const row of rows) yield Buffer.isBuffer(row.mail_text) ? row.mail_text : Buffer.from(row.mail_text);
      if (rows.length < 64) return;
      last = Number(rows.at(-1)?.chunk_ind);
    }
  }

  async function hasChunks(ref: MessageRef): Promise<boolean> {
    const rows = await sequelize.query('SELECT 1 FROM quarantine WHERE partition_tag = :p AND mail_id = :m LIMIT 1', {
      type: QueryTypes.SELECT,
      replacements: { p: ref.partitionTag, m: Buffer.from(ref.mailId) },
    });
    return rows.length > 0;
  }

  /**
   * A recipient opening their own new message marks it viewed. An admin looking at someone else's mail
   * leaves it as it is, and is audited.
   */
  async function markViewed(user: SessionUser, ref: MessageRef, row: AccessibleRow, how: 'view' | 'raw'): Promise<boolean> {
    const own = await resolver.forAddresses(user.addresses, options.recipientDelimiter);
    if (!own.includes(String(row.rid))) {
      await audit.record({ actor: user.email, action: 'view', ref, recipient: binaryText(row.recipient), result: 'ok', detail: how });
      return false;
    }
    if (how === 'raw') return false;
    // The condition is in the UPDATE itself, so a concurrent release or delete is never overwritten.
    await sequelize.query("UPDATE msgrcpt SET rs = 'V' WHERE partition_tag = :p AND mail_id = :m AND rseqnum = :r AND rs IN ('', ' ')", {
      replacements: { p: ref.partitionTag, m: Buffer.from(ref.mailId), r: ref.rseqnum },
    });
    return row.rs === '' || row.rs === ' ';
  }

  return {
    findAccessible,

    async view(user, id, { withReceived }) {
      const { ref, row } = await findAccessible(user, id);
      if (!(await hasChunks(ref))) throw new AppError(410, 'gone', 'the quarantined copy of this message has been purged');
      const item = presentItem(row, options.retentionDays);
      const envelope = binaryText(row.sender).toLowerCase();
      let detail: MessageDetail;
      if (Number(row.size) > options.maxParseBytes) {
        detail = {
          item,
          headers: { from: item.headerFrom, to: item.recipient, cc: '', replyTo: '', date: item.receivedAt, subject: item.subject, messageId: '' },
          senderMismatch: false,
          reason: { type: item.type, alerts: [], spamScore: item.spamLevel, spamTests: [], auth: { spf: null, dkim: null, dmarc: null } },
          text: null,
          html: null,
          remoteImages: 0,
          attachments: [],
          parseError: 'too_large',
        };
      } else {
        const parts: Buffer[] = [];
        for await (const chunk of chunks(ref)) parts.push(chunk);
        try {
          const parsed = await parseMail(Buffer.concat(parts), { withReceived });
          const { headerFromAddress, reason, ...rest } = parsed;
          detail = {
            item,
            ...rest,
            // An empty envelope sender (a bounce) is not a mismatch.
            senderMismatch: Boolean(envelope && headerFromAddress && envelope !== headerFromAddress),
            reason: { type: item.type, ...reason, spamScore: reason.spamScore ?? item.spamLevel },
            parseError: null,
          };
        } catch {
          throw new AppError(422, 'validation_failed', 'this message cannot be parsed; download the raw message instead');
        }
      }
      if (await markViewed(user, ref, row, 'view')) detail.item.status = 'viewed';
      return detail;
    },

    async raw(user, id) {
      const { ref, row } = await findAccessible(user, id);
      if (!(await hasChunks(ref))) throw new AppError(410, 'gone', 'the quarantined copy of this message has been purged');
      await markViewed(user, ref, row, 'raw');
      return { filename: `${ref.mailId}.eml`, chunks: chunks(ref) };
    },
  };
}
