import { binaryText } from './binary';
import type { ListCursor, ListRow } from './list-sql';

/** The position after a listed row, for the next page in this sort order. */
export function cursorOf(row: ListRow, sort: 'date' | 'score'): ListCursor {
  const cursor: ListCursor = {
    sort,
    timeNum: Number(row.time_num),
    partitionTag: Number(row.partition_tag),
    mailId: binaryText(row.mail_id),
    rseqnum: Number(row.rseqnum),
  };
  if (sort === 'score') {
    const level = row.bspam_level ?? row.spam_level ?? -9999;
    // Same rounding as the SQL's DECIMAL(12,3) (ROUND(…, 3) on SQLite compares equal to it too).
    cursor.score = Number(level).toFixed(3);
  }
  return cursor;
}

/** The cursor is opaque to clients: base64url of a small JSON document, checked field by field. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.timeNum, cursor.partitionTag, cursor.mailId, cursor.rseqnum, cursor.score ?? null])).toString('base64url');
}

/** Decodes a cursor; undefined when it is malformed. */
export function decodeCursor(raw: string): ListCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,300}$/.test(raw)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 6) return undefined;
    const [sort, timeNum, partitionTag, mailId, rseqnum, score] = value as unknown[];
    if (sort !== 'date' && sort !== 'score') return undefined;
    if (!Number.isInteger(timeNum) || !Number.isInteger(partitionTag) || !Number.isInteger(rseqnum)) return undefined;
    if (typeof mailId !== 'string' || !/^[A-Za-z0-9_+-]{1,16}$/.test(mailId)) return undefined;
    if (sort === 'score' && (typeof score !== 'string' || !/^-?\d{1,9}(\.\d{1,3})?$/.test(score))) return undefined;
    return {
      sort,
      timeNum: timeNum as number,
      partitionTag: partitionTag as number,
      mailId,
      rseqnum: rseqnum as number,
      ...(sort === 'score' ? { score: score as string } : {}),
    };
  } catch {
    return undefined;
  }
}
