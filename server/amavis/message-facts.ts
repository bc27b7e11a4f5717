import { QueryTypes, type Sequelize } from 'sequelize';
import type { MessageType } from '../../shared/quarantine';
import { binaryText } from './binary';
import { typeOfContent } from './codes';
import type { MessageRef } from './message-ref';

/** What an admin screen shows of a message it names: its subject, why amavis held it, its score, and its senders (to see a forged one). */
export interface MessageFacts {
  subject: string;
  type: MessageType | 'other';
  spamLevel: number | null;
  headerFrom: string;
  envelopeFrom: string;
}

type MessageKey = Omit<MessageRef, 'rseqnum'>;

/** Reads the facts of many messages at once, keyed by `partition_tag:mail_id`. */
export type MessageFactsReader = (keys: readonly MessageKey[]) => Promise<Map<string, MessageFacts>>;

/** The key `factsOf` answers by. */
export const factsKey = (key: MessageKey): string => `${key.partitionTag}:${key.mailId}`;

/**
 * One query for a page of requests or audit entries (the callers already scoped those rows to the
 * user): the messages' msgs rows by mail_id. A message the cleanup has removed has no facts.
 */
export function createMessageFactsReader(sequelize: Sequelize): MessageFactsReader {
  return async (keys) => {
    const facts = new Map<string, MessageFacts>();
    const ids = [...new Set(keys.map((k) => k.mailId))];
    if (ids.length === 0) return facts;
    const rows = await sequelize.query<{
      partition_tag: number;
      mail_id: Buffer | string;
      subject: Buffer | string | null;
      content: Buffer | string | null;
      spam_level: number | string | null;
      from_addr: Buffer | string | null;
      sender: Buffer | string | null;
    }>(
      // s = the envelope sender's maddr row (msgs.sid), as in the list.
      'SELECT m.partition_tag, m.mail_id, m.subject, m.content, m.spam_level, m.from_addr, s.email AS sender FROM msgs m LEFT JOIN maddr s ON s.id = m.sid WHERE m.mail_id IN (:ids)',
      {
        type: QueryTypes.SELECT,
        replacements: { ids: ids.map((id) => Buffer.from(id)) },
      },
    );
    for (const row of rows)
      facts.set(factsKey({ partitionTag: Number(row.partition_tag), mailId: binaryText(row.mail_id) }), {
        subject: binaryText(row.subject),
        type: typeOfContent(binaryText(row.content)),
        spamLevel: row.spam_level === null ? null : Number(row.spam_level),
        headerFrom: binaryText(row.from_addr),
        envelopeFrom: binaryText(row.sender),
      });
    return facts;
  };
}
