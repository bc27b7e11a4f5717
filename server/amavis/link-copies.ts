import { QueryTypes, type Sequelize } from 'sequelize';
import { binaryText } from './binary';

/** One recipient row of a quarantined message, with the message's secret_id (what a plain link is checked against). */
export interface LinkRecipient {
  partitionTag: number;
  rseqnum: number;
  recipient: string;
  secretId: Buffer;
}

/** Looks up what amavis's plain self-service links (mail_id, secret_id, rcpt) name. */
export interface LinkCopies {
  /**
   * Up to two recipient rows of a quarantined, fully stored message, whoever they belong to: two mean the
   * message has several recipients (or the mail_id is in several partitions), and a plain link to it is refused.
   */
  recipientsOf(mailId: string, partitionTag: number | undefined): Promise<LinkRecipient[]>;
}

/** Creates the lookup on the amavis storage database. */
export function createLinkCopies(sequelize: Sequelize): LinkCopies {
  return {
    async recipientsOf(mailId, partitionTag) {
      const rows = await sequelize.query<{ partition_tag: number; secret_id: Buffer | string; rseqnum: number; email: Buffer | string }>(
        `SELECT m.partition_tag AS partition_tag, m.secret_id AS secret_id, mr.rseqnum AS rseqnum, r.email AS email
  FROM msgs m
  JOIN msgrcpt mr ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
  JOIN maddr r ON r.id = mr.rid
  WHERE m.mail_id = :m AND m.quar_type = 'Q' AND m.content IS NOT NULL${partitionTag === undefined ? '' : ' AND m.partition_tag = :p'}
  LIMIT 2`,
        { type: QueryTypes.SELECT, replacements: { m: Buffer.from(mailId), p: partitionTag } },
      );
      return rows.map((row) => ({
        partitionTag: Number(row.partition_tag),
        rseqnum: Number(row.rseqnum),
        recipient: binaryText(row.email).toLowerCase(),
        secretId: Buffer.from(Buffer.isBuffer(row.secret_id) ? row.secret_id : String(row.secret_id)),
      }));
    },
  };
}
