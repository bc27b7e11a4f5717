import { QueryTypes, type Sequelize } from 'sequelize';
import type { MessageStatus, MessageType } from '../../shared/quarantine';
import {
  ciLike,
  likeContains,
  messageKeyset,
  recipientPlanSql,
  rowKeyset,
  timePlanMessagesSql,
  timePlanRowsSql,
  type Dialect,
  type ListCursor,
  type SqlPart,
} from '../db/list-sql';
import { createRecipientIdResolver, type RecipientIdResolver } from '../db/recipient-ids';
import { AppError } from '../errors';
import { STATUS_TO_RS, TYPE_TO_CONTENT } from './amavis-codes';

/** Whose quarantine a listing covers. It comes from the session, never from the request. */
export type ListScope =
  | { kind: 'addresses'; addresses: string[] }
  | { kind: 'domains'; domains: string[]; addresses?: string[] }
  | { kind: 'all' };

export interface ListQuery {
  limit: number;
  cursor?: string | undefined;
  sort?: 'date' | 'score';
  q?: string | undefined;
  type?: string[] | undefined;
  status?: string[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Unix seconds, inclusive. */
  since?: number | undefined;
  /** Unix seconds, exclusive. */
  until?: number | undefined;
  count?: boolean | undefined;
}

/** A listed row as the database returns it; the presenter turns it into a QuarantineItem. */
export interface ListRow {
  partition_tag: number;
  mail_id: Buffer | string;
  rseqnum: number;
  time_num: number;
  size: number;
  from_addr: string | null;
  subject: string | null;
  spam_level: number | null;
  content: string | null;
  rs: string | null;
  bspam_level: number | null;
  recipient: Buffer | string | null;
  sender: Buffer | string | null;
}

export interface ListResult {
  rows: ListRow[];
  nextCursor: string | null;
  count?: { value: number; capped: boolean };
}

export interface QuarantineLister {
  list(scope: ListScope, query: ListQuery): Promise<ListResult>;
}

export interface ListerOptions {
  recipientDelimiter?: string | undefined;
  /** Shared with the message service, so both use one cache of maddr ids. */
  resolver?: RecipientIdResolver;
  /** A scope with at least this many recipient rows is listed by time; below it, by recipient. */
  heavyRowThreshold?: number;
  countCap?: number;
}

const text = (v: Buffer | string | null | undefined) => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : v);

/** Creates the lister: scope resolution, plan choice, keyset paging. */
export function createQuarantineLister(sequelize: Sequelize, options: ListerOptions = {}): QuarantineLister {
  const dialect: Dialect = sequelize.getDialect() === 'sqlite' ? 'sqlite' : 'mysql';
  const resolver: RecipientIdResolver = options.resolver ?? createRecipientIdResolver(sequelize);
  const heavyRowThreshold = options.heavyRowThreshold ?? 2_000;
  const countCap = options.countCap ?? 1_000;
  const weightCache = new Map<string, { at: number; heavy: boolean }>();


  /** Whether the scope has many rows: counted up to the threshold only, and remembered for a minute. */
  async function isHeavy(rids: string[]): Promise<boolean> {
    const key = rids.length > 50 ? `n${rids.length}:${rids[0]}:${rids.at(-1)}` : rids.join(',');
    const cached = weightCache.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.heavy;
    const [row] = await sequelize.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM msgrcpt WHERE rid IN (:rids) LIMIT ${heavyRowThreshold}) t`,
      { type: QueryTypes.SELECT, replacements: { rids } },
    );
    const heavy = Number(row?.n ?? 0) >= heavyRowThreshold;
    if (weightCache.size > 10_000) weightCache.clear();
    weightCache.set(key, { at: Date.now(), heavy });
    return heavy;
  }

  function rowFilter(rids: string[] | undefined, query: ListQuery): SqlPart {
    const parts: string[] = [];
    const replacements: Record<string, unknown> = {};
    if (rids) {
      parts.push('mr.rid IN (:rids)');
      replacements.rids = rids;
    }
    if (query.type?.length) {
      parts.push('mr.content IN (:contents)');
      replacements.contents = query.type.map((t) => TYPE_TO_CONTENT[t as MessageType]);
    }
    if (query.status?.length) {
      parts.push('mr.rs IN (:rsCodes)');
      replacements.rsCodes = query.status.flatMap((s) => STATUS_TO_RS[s as MessageStatus]);
    } else {
      parts.push("mr.rs <> 'D'");
    }
    if (query.q) {
      replacements.q = likeContains(query.q);
      parts.push(
        `(${ciLike(dialect, 'm.subject', 'q')} OR ${ciLike(dialect, 'm.from_addr', 'q')} OR ${ciLike(dialect, 's.email', 'q')} OR ${ciLike(dialect, 'r.email', 'q')})`,
      );
    }
    if (query.from) {
      replacements.fromQ = likeContains(query.from);
      parts.push(`(${ciLike(dialect, 's.email', 'fromQ')} OR ${ciLike(dialect, 'm.from_addr', 'fromQ')})`);
    }
    if (query.to) {
      replacements.toQ = likeContains(query.to);
      parts.push(ciLike(dialect, 'r.email', 'toQ'));
    }
    if (query.since !== undefined) {
      parts.push('m.time_num >= :since');
      replacements.since = query.since;
    }
    if (query.until !== undefined) {
      parts.push('m.time_num < :until');
      replacements.until = query.until;
    }
    return { sql: parts.join(' AND '), replacements };
  }

  async function byRecipient(where: SqlPart, sort: 'date' | 'score', cursor: ListCursor | undefined, limit: number): Promise<ListRow[]> {
    const keyset = cursor ? rowKeyset(dialect, cursor) : undefined;
    const full = keyset ? { sql: `${where.sql} AND ${keyset.sql}`, replacements: { ...where.replacements, ...keyset.replacements } } : where;
    const sql = recipientPlanSql(dialect, full, sort, limit);
    return sequelize.query<ListRow>(sql.sql, { type: QueryTypes.SELECT, replacements: sql.replacements });
  }

  async function byTime(where: SqlPart, cursor: ListCursor | undefined, limit: number): Promise<ListRow[]> {
    const messageWhere = cursor ? messageKeyset(cursor) : { sql: '1 = 1', replacements: {} };
    // With a cursor, step 1 returns the cursor's own message too, and it may have no rows left.
    const step1 = timePlanMessagesSql(dialect, where, messageWhere, cursor ? limit + 1 : limit);
    const messages = await sequelize.query<{ partition_tag: number; mail_id: Buffer | string }>(step1.sql, {
      type: QueryTypes.SELECT,
      replacements: step1.replacements,
    });
    if (messages.length === 0) return [];
    const step2 = timePlanRowsSql(where, messages);
    const rows = await sequelize.query<ListRow>(step2.sql, { type: QueryTypes.SELECT, replacements: step2.replacements });
    rows.sort(compareByDate);
    // The cursor's own message was kept by step 1: drop its rows up to and including the cursor.
    return cursor ? rows.filter((row) => compareByDate(row, cursorRow(cursor)) > 0) : rows;
  }

  return {
    async list(scope, query) {
      const sort = query.sort ?? 'date';
      const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
      if (query.cursor && (!cursor || cursor.sort !== sort)) {
        throw new AppError(400, 'validation_failed', 'the cursor is invalid or belongs to another sort order; start again from the first page');
      }
      const rids = await resolver.forScope(scope, options.recipientDelimiter);
      if (rids && rids.length === 0) return { rows: [], nextCursor: null, ...(query.count ? { count: { value: 0, capped: false } } : {}) };
      const where = rowFilter(rids, query);
      // Searches, filters on rarer fields and the score order are bounded by the scope's own rows, so
      // they go by recipient whenever there is a scope; only the newest-first page of a big scope, or
      // of everyone, goes by time.
      const selective = Boolean(query.q || query.from || query.to || query.type?.length || query.status?.length);
      const useTime = sort === 'date' && (rids === undefined ? true : !selective && (await isHeavy(rids)));

      const fetched = useTime ? await byTime(where, cursor, query.limit + 1) : await byRecipient(where, sort, cursor, query.limit + 1);
      const rows = fetched.slice(0, query.limit);
      const last = rows.at(-1);
      const nextCursor = fetched.length > query.limit && last ? encodeCursor(cursorOf(last, sort, dialect)) : null;
      const result: ListResult = { rows, nextCursor };
      if (query.count) result.count = await countRows(where);
      return result;
    },
  };

  /** Counts matching rows, but stops at the cap: an exact COUNT over amavis's tables can take minutes. */
  async function countRows(where: SqlPart): Promise<{ value: number; capped: boolean }> {
    const sql = recipientPlanSql(dialect, where, 'unordered', countCap + 1);
    const [row] = await sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (${sql.sql}) t`, {
      type: QueryTypes.SELECT,
      replacements: sql.replacements,
    });
    const value = Number(row?.n ?? 0);
    return value > countCap ? { value: countCap, capped: true } : { value, capped: false };
  }
}

function cursorRow(cursor: ListCursor): Pick<ListRow, 'time_num' | 'partition_tag' | 'mail_id' | 'rseqnum'> {
  return { time_num: cursor.timeNum, partition_tag: cursor.partitionTag, mail_id: cursor.mailId, rseqnum: cursor.rseqnum };
}

/** Newest first, then partition, mail_id (bytes) and rseqnum, all descending: the SQL order, in JS. */
function compareByDate(a: Pick<ListRow, 'time_num' | 'partition_tag' | 'mail_id' | 'rseqnum'>, b: typeof a): number {
  return (
    Number(b.time_num) - Number(a.time_num) ||
    Number(b.partition_tag) - Number(a.partition_tag) ||
    Buffer.compare(Buffer.from(text(b.mail_id)), Buffer.from(text(a.mail_id))) ||
    Number(b.rseqnum) - Number(a.rseqnum)
  );
}

function cursorOf(row: ListRow, sort: 'date' | 'score', dialect: Dialect): ListCursor {
  const cursor: ListCursor = { sort, timeNum: Number(row.time_num), partitionTag: Number(row.partition_tag), mailId: text(row.mail_id), rseqnum: Number(row.rseqnum) };
  if (sort === 'score') {
    const level = row.bspam_level ?? row.spam_level ?? -9999;
    // Same rounding as the SQL's DECIMAL(12,3) (or ROUND(…, 3) on SQLite).
    cursor.score = dialect === 'mysql' ? Number(level).toFixed(3) : String(Math.round(Number(level) * 1000) / 1000);
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
    return { sort, timeNum: timeNum as number, partitionTag: partitionTag as number, mailId, rseqnum: rseqnum as number, ...(sort === 'score' ? { score: score as string } : {}) };
  } catch {
    return undefined;
  }
}
