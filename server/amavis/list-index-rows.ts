/**
 * The second half of a listing from the list index: the candidates that list-index-query.ts found in
 * aq_list, read back from amavis's own tables by primary key. The index may lag behind a release, a
 * delete or amavis's cleanup; these rows never do, so a page never shows a copy that is gone or changed.
 * Aliases: c = the candidates, mr = msgrcpt, m = msgs, r and s = maddr (recipient, sender).
 */

import { isMysql, type Dialect } from './dialect';
import { orderOf, sortColumn, type Candidate, type IndexQuery } from './list-index-query';
import { HELD_COPY, JOIN_ROW, ROW_COLUMNS, type ListRow, type SqlPart } from './list-parts';

/** A candidate with its listed row, or none when the copy is gone, deleted or changed since it was indexed. */
export type CandidateRow = Partial<ListRow> & {
  c_id: number | string;
  c_k: string | number | null;
  c_time: number;
  c_partition_tag: number;
  c_mail_id: Buffer | string;
  c_rseqnum: number;
};

/**
 * Candidates and their rows in one statement: the candidates' statement as a derived table (its LIMIT
 * keeps it a handful of rows), then amavis's rows by primary key. LEFT JOINs, so that a candidate whose
 * copy is gone still comes back, without a row: the caller knows how far the walk got.
 */
export function withRowsSql(dialect: Dialect, candidates: SqlPart, q: Pick<IndexQuery, 'sort' | 'dir' | 'rsCodes'>): SqlPart {
  const rep: Record<string, unknown> = { ...candidates.replacements };
  if (q.rsCodes?.length) rep.jrs = q.rsCodes;
  const rs = q.rsCodes?.length ? 'mr.rs IN (:jrs)' : "mr.rs <> 'D'";
  const col = sortColumn(q.sort);
  return {
    sql: `SELECT ${isMysql(dialect) ? 'STRAIGHT_JOIN ' : ''}c.id AS c_id, c.k AS c_k, c.time_num AS c_time, c.partition_tag AS c_partition_tag, c.mail_id AS c_mail_id, c.rseqnum AS c_rseqnum, ${ROW_COLUMNS}
  FROM (${candidates.sql}) c
  LEFT JOIN msgrcpt mr ON mr.partition_tag = c.partition_tag AND mr.mail_id = c.mail_id AND mr.rseqnum = c.rseqnum AND ${rs} AND ${HELD_COPY}
  LEFT JOIN msgs m ON m.partition_tag = c.partition_tag AND m.mail_id = c.mail_id AND m.quar_type = 'Q' AND m.content IS NOT NULL
  LEFT JOIN maddr r ON r.id = mr.rid
  LEFT JOIN maddr s ON s.id = m.sid
  ORDER BY ${col ? orderOf(q.sort, q.dir, 'c.').replace(`c.${col} `, 'c.k ') : orderOf(q.sort, q.dir, 'c.')}`,
    replacements: rep,
  };
}

/** The listed rows of these copies, read from amavis's tables by primary key: gone copies drop out. */
export function rowsOfCandidatesSql(dialect: Dialect, keys: readonly Candidate[], rsCodes: string[] | undefined): SqlPart {
  const rep: Record<string, unknown> = {};
  const rs = rsCodes?.length ? 'mr.rs IN (:jrs)' : "mr.rs <> 'D'";
  if (rsCodes?.length) rep.jrs = rsCodes;
  let keyed: string;
  if (dialect === 'postgres') {
    rep.jp = keys.map((k) => k.partition_tag);
    rep.jm = keys.map((k) => (Buffer.isBuffer(k.mail_id) ? k.mail_id : Buffer.from(k.mail_id)));
    rep.jr = keys.map((k) => k.rseqnum);
    keyed = `(mr.partition_tag, mr.mail_id, mr.rseqnum) IN (SELECT * FROM unnest(ARRAY[:jp]::integer[], ARRAY[:jm]::bytea[], ARRAY[:jr]::integer[]))`;
  } else {
    const pairs = keys.map((k, i) => {
      rep[`jp${i}`] = k.partition_tag;
      rep[`jm${i}`] = Buffer.isBuffer(k.mail_id) ? k.mail_id : Buffer.from(k.mail_id);
      rep[`jr${i}`] = k.rseqnum;
      return `(mr.partition_tag = :jp${i} AND mr.mail_id = :jm${i} AND mr.rseqnum = :jr${i})`;
    });
    keyed = `(${pairs.join(' OR ')})`;
  }
  return {
    sql: `SELECT ${ROW_COLUMNS}
  FROM msgrcpt mr
  JOIN msgs m ON m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id
  ${JOIN_ROW}
  WHERE ${keyed} AND m.quar_type = 'Q' AND m.content IS NOT NULL AND ${HELD_COPY} AND ${rs}`,
    replacements: rep,
  };
}
