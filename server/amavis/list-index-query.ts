/**
 * The statements that find a page's candidates in the list table alone (list-index-ddl.ts); reading their
 * rows back from amavis's tables is list-index-rows.ts. Pure builders; list-index-lister.ts runs them.
 * Aliases: l = aq_list.
 *
 * A scope is split into branches, each an equality on an index prefix (one rid, one domain, and with the
 * date order one content code per type filter), so that each branch is one ordered index range read for
 * only as many rows as a page needs; the union of the branches' first rows, sorted, is the page.
 * Keysets continue after (sort key, time_num, id) in the page's direction.
 */

import { isMysql, type Dialect } from './dialect';
import { LIST_TABLE, type ListSort } from './list-index-ddl';
import type { SqlPart } from './list-parts';

export type SortDir = 'asc' | 'desc';

/** The position after a page's last candidate. key: the sort column's value (null for the date order). */
export interface IndexCursor {
  sort: ListSort;
  dir: SortDir;
  key: string | null;
  timeNum: number;
  id: string;
}

export interface IndexQuery {
  /** undefined: everyone (a super user). */
  scope: { rids: string[]; domains: string[] } | undefined;
  sort: ListSort;
  dir: SortDir;
  contents?: string[] | undefined;
  rsCodes?: string[] | undefined;
  /** Lowercased words that must each start a word of the row's search text. */
  words: string[];
  since?: number | undefined;
  until?: number | undefined;
  after?: IndexCursor | undefined;
}

/** A candidate row, from the list table alone. */
export interface Candidate {
  id: number | string;
  partition_tag: number;
  mail_id: Buffer | string;
  rseqnum: number;
  time_num: number;
  k: string | number | null;
  hit?: number | string;
  b?: number | string;
}

const MAX_BRANCHES = 64;

export const sortColumn = (sort: ListSort): string | null => (sort === 'date' ? null : sort);

interface Branch {
  eq: string[];
  index: string | undefined;
}

/** The branches of a query, or one branch with IN lists when there would be too many. */
function branches(q: IndexQuery, rep: Record<string, unknown>): Branch[] {
  const letter = q.sort === 'date' ? 't' : q.sort === 'score' ? 's' : q.sort === 'sender' ? 'f' : 'j';
  const byContent = q.sort === 'date' && (q.contents?.length ?? 0) > 0;
  const contents = byContent ? (q.contents ?? []) : [undefined];
  const scopes: Array<{ eq?: string; prefix: string }> = [];
  if (!q.scope) scopes.push({ prefix: '' });
  else {
    q.scope.rids.forEach((rid, i) => {
      rep[`br${i}`] = rid;
      scopes.push({ eq: `l.rid = :br${i}`, prefix: 'r' });
    });
    q.scope.domains.forEach((domain, i) => {
      rep[`bd${i}`] = domain;
      scopes.push({ eq: `l.rdomain = :bd${i}`, prefix: 'd' });
    });
  }
  if (scopes.length * contents.length > MAX_BRANCHES) {
    const eq: string[] = [];
    const ors: string[] = [];
    if (q.scope?.rids.length) {
      rep.brs = q.scope.rids;
      ors.push('l.rid IN (:brs)');
    }
    if (q.scope?.domains.length) {
      rep.bds = q.scope.domains;
      ors.push('l.rdomain IN (:bds)');
    }
    if (ors.length) eq.push(`(${ors.join(' OR ')})`);
    return [{ eq, index: undefined }];
  }
  const out: Branch[] = [];
  contents.forEach((content, c) => {
    if (content !== undefined) rep[`bc${c}`] = content;
    for (const scope of scopes) {
      const eq = [...(scope.eq ? [scope.eq] : []), ...(content !== undefined ? [`l.content = :bc${c}`] : [])];
      out.push({ eq, index: `aq_list_${scope.prefix}${content !== undefined ? 'c' : letter}` });
    }
  });
  return out;
}

/** Filters every branch applies: those its index does not hold. */
function filters(dialect: Dialect, q: IndexQuery, rep: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (q.contents?.length && q.sort !== 'date') {
    rep.fc = q.contents;
    out.push('l.content IN (:fc)');
  }
  if (q.rsCodes?.length) {
    rep.fs = q.rsCodes;
    out.push('l.rs IN (:fs)');
  }
  if (q.since !== undefined) {
    rep.fsince = q.since;
    out.push('l.time_num >= :fsince');
  }
  if (q.until !== undefined) {
    rep.funtil = q.until;
    out.push('l.time_num < :funtil');
  }
  if (q.after) out.push(keyset(dialect, q.after, rep));
  return out;
}

/** Rows strictly after the cursor in its order, written out (MariaDB is slow on row comparisons). */
function keyset(dialect: Dialect, c: IndexCursor, rep: Record<string, unknown>): string {
  const op = c.dir === 'desc' ? '<' : '>';
  rep.kt = c.timeNum;
  rep.ki = c.id;
  const col = sortColumn(c.sort);
  if (dialect === 'postgres') {
    if (!col) return `(l.time_num, l.id) ${op} (:kt, :ki)`;
    rep.kk = c.key ?? '';
    return `(l.${col}, l.time_num, l.id) ${op} (:kk, :kt, :ki)`;
  }
  const date = `(l.time_num ${op} :kt OR (l.time_num = :kt AND l.id ${op} :ki))`;
  if (!col) return date;
  rep.kk = c.key ?? '';
  return `(l.${col} ${op} :kk OR (l.${col} = :kk AND ${date}))`;
}

/** The ORDER BY of a sort: the sort column (none for the date order), then time_num and id as tie-breakers. */
export function orderOf(sort: ListSort, dir: SortDir, alias = 'l.'): string {
  const col = sortColumn(sort);
  const d = dir === 'desc' ? 'DESC' : 'ASC';
  return `${col ? `${alias}${col} ${d}, ` : ''}${alias}time_num ${d}, ${alias}id ${d}`;
}

/** A word-start match of each word on the search text (SQLite, the demo: a substring). */
export function wordMatch(dialect: Dialect, words: string[], rep: Record<string, unknown>, prefix = 'w'): string {
  return words
    .map((word, i) => {
      const name = `${prefix}${i}`;
      if (dialect === 'sqlite') {
        rep[name] = `%${word.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
        return `l.search LIKE :${name} ESCAPE '\\'`;
      }
      rep[name] = `(^|[^[:alnum:]_])${word}`;
      return dialect === 'postgres' ? `l.search ~ :${name}` : `l.search REGEXP :${name}`;
    })
    .join(' AND ');
}

const CANDIDATE_COLUMNS = 'l.id AS id, l.partition_tag AS partition_tag, l.mail_id AS mail_id, l.rseqnum AS rseqnum, l.time_num AS time_num';

/**
 * The ordered walk: each branch's first `limit` rows, unioned and sorted. With `words`, each branch
 * reads its first `walk` rows and flags those that match (hit), so the caller knows whether a branch
 * was read to its end. `filterWords`: words as a plain filter, for when no text index can help.
 */
export function walkSql(dialect: Dialect, q: IndexQuery, limit: number, walk?: number, filterWords: string[] = []): SqlPart {
  const rep: Record<string, unknown> = {};
  const common = filters(dialect, q, rep);
  if (filterWords.length) common.push(wordMatch(dialect, filterWords, rep, 'fw'));
  const col = sortColumn(q.sort);
  const key = col ? `l.${col}` : 'l.time_num';
  const hit = q.words.length ? `, CASE WHEN ${wordMatch(dialect, q.words, rep)} THEN 1 ELSE 0 END AS hit` : '';
  const parts = branches(q, rep).map((b, i) => {
    const force = isMysql(dialect) && b.index ? ` FORCE INDEX (${b.index})` : '';
    const where = [...b.eq, ...common];
    return `SELECT * FROM (SELECT ${CANDIDATE_COLUMNS}, ${key} AS k, ${i} AS b${hit} FROM ${LIST_TABLE} l${force}
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${orderOf(q.sort, q.dir)} LIMIT ${walk ?? limit}) b${i}`;
  });
  const order = orderOf(q.sort, q.dir, 'u.').replace(`u.${col ?? '-'} `, 'u.k ');
  return { sql: `SELECT u.* FROM (${parts.join('\nUNION ALL\n')}) u ORDER BY ${order} LIMIT ${walk ? walk * parts.length : limit}`, replacements: rep };
}

/** The scope as IN lists and the type filter: for statements that do not go branch by branch. */
function scopeWhere(q: IndexQuery, rep: Record<string, unknown>): string[] {
  const where: string[] = [];
  if (q.scope) {
    const ors: string[] = [];
    if (q.scope.rids.length) {
      rep.trs = q.scope.rids;
      ors.push('l.rid IN (:trs)');
    }
    if (q.scope.domains.length) {
      rep.tds = q.scope.domains;
      ors.push('l.rdomain IN (:tds)');
    }
    where.push(ors.length ? `(${ors.join(' OR ')})` : '1 = 0');
  }
  if (q.contents?.length && q.sort === 'date') {
    rep.tc = q.contents;
    where.push('l.content IN (:tc)');
  }
  return where;
}

/**
 * Through the text index, for words the walk did not find a page of: MariaDB/MySQL FULLTEXT (every word
 * of 3 characters or more as a prefix, in boolean mode; shorter words by the word match), PostgreSQL
 * pg_trgm (a materialized candidate set, so that the planner reads the GIN index, not the time order).
 * undefined when there is no text index to use (SQLite; only short words on MariaDB).
 */
export function textSql(dialect: Dialect, q: IndexQuery, limit: number, columns = true): SqlPart | undefined {
  const rep: Record<string, unknown> = {};
  const where = [...filters(dialect, q, rep), ...scopeWhere(q, rep)];
  const col = sortColumn(q.sort);
  const select = columns ? `SELECT ${CANDIDATE_COLUMNS}, ${col ? `l.${col}` : 'l.time_num'} AS k FROM ${LIST_TABLE} l` : `SELECT 1 AS one FROM ${LIST_TABLE} l`;
  const tail = columns ? `ORDER BY ${orderOf(q.sort, q.dir)} LIMIT ${limit}` : `LIMIT ${limit}`;
  if (isMysql(dialect)) {
    const long = q.words.filter((w) => [...w].length >= 3);
    if (long.length === 0) return undefined;
    rep.ft = long.map((w) => `+${w}*`).join(' ');
    const short = q.words.filter((w) => [...w].length < 3);
    if (short.length) where.push(wordMatch(dialect, short, rep, 'sw'));
    return { sql: `${select} WHERE MATCH(l.search) AGAINST (:ft IN BOOLEAN MODE)${where.map((w) => ` AND ${w}`).join('')} ${tail}`, replacements: rep };
  }
  if (dialect === 'postgres') {
    const match = wordMatch(dialect, q.words, rep).replaceAll('l.search', 'c.search');
    return {
      sql: `WITH c AS MATERIALIZED (SELECT c.id FROM ${LIST_TABLE} c WHERE ${match})
  ${select} JOIN c ON c.id = l.id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${tail}`,
      replacements: rep,
    };
  }
  return undefined;
}

/** A count of matching rows that stops at cap + 1 (the list table alone). */
export function countSql(dialect: Dialect, q: IndexQuery, cap: number): SqlPart {
  const plain = { ...q, after: undefined };
  const text = q.words.length ? textSql(dialect, plain, cap + 1, false) : undefined;
  if (text) return { sql: `SELECT COUNT(*) AS n FROM (${text.sql}) t`, replacements: text.replacements };
  const rep: Record<string, unknown> = {};
  const where = [...filters(dialect, { ...plain, sort: 'date' }, rep), ...scopeWhere({ ...plain, sort: 'date' }, rep)];
  if (q.words.length) where.push(wordMatch(dialect, q.words, rep));
  return {
    sql: `SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ${LIST_TABLE} l ${where.length ? `WHERE ${where.join(' AND ')}` : ''} LIMIT ${cap + 1}) t`,
    replacements: rep,
  };
}
