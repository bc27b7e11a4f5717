import { QueryTypes, type Sequelize } from 'sequelize';
import { binaryText } from './binary';
import { HELD_COPY } from './list-parts';
import type { MessageStatus, MessageType } from '../../shared/quarantine';
import {
  containsAny,
  keysFirstWalkSql,
  messageKeyset,
  recipientPlanSql,
  rowKeyset,
  rowsOfMessagesSql,
  timePlanSql,
  type Dialect,
  type ListCursor,
  type ListRow,
  type SqlPart,
} from './list-sql';
import { createRecipientIdResolver, type RecipientIdResolver } from './recipient-ids';
import { AppError } from '../errors';
import { cursorOf, decodeCursor, encodeCursor } from './list-cursor';
import { STATUS_TO_RS, TYPE_TO_CONTENT } from './codes';
import { amavisDialect } from './dialect';
import type { ListSort } from './list-index-ddl';
import { createIndexLister, type IndexLister } from './list-index-lister';
import { listFromIndex } from './list-from-index';
import type { ListQuery, ListResult } from './list-types';

import type { ListScope } from './scope';

export type { ListScope } from './scope';

export type { ListRow } from './list-sql';
export type { ListQuery, ListResult } from './list-types';

export interface QuarantineLister {
  list(scope: ListScope, query: ListQuery): Promise<ListResult>;
}

export interface ListerOptions {
  recipientDelimiter?: string | undefined;
  /** Shared with the message service, so both use one cache of maddr ids. */
  resolver?: RecipientIdResolver;
  /** Below this many recipient rows a scope is listed by recipient; from it, keys first (default per dialect: PLAN_THRESHOLDS). */
  keysFirstFrom?: number;
  /** From this many recipient rows a scope is listed by time (default per dialect: PLAN_THRESHOLDS). */
  timeFrom?: number;
  countCap?: number;
  /** Lists from the list index once it is built (list-index-ddl.ts); false: always amavis's tables. */
  useIndex?: boolean;
}

/** Which plan lists a page; exported for the benchmark and its EXPLAIN mode. */
export type ListPlan = 'recipient' | 'keys-first' | 'time';

/**
 * Where each plan overtakes the one before, in a scope's recipient rows (measured with `npm run
 * bench:list` at 1M msgs, e2e/bench/README.md). PostgreSQL's keys-first reads the scope's msgrcpt rows
 * to hash their keys (its rid index holds no primary key), so it pays off later and gives way sooner.
 */
export const PLAN_THRESHOLDS: Record<'postgres' | 'mysql', { keysFirstFrom: number; timeFrom: number }> = {
  mysql: { keysFirstFrom: 1_500, timeFrom: 20_000 },
  postgres: { keysFirstFrom: 2_000, timeFrom: 10_000 },
};

/** Up to this many rows, a user's page from amavis's tables beats the list index's. */
const SMALL_SCOPE_ROWS = 200;

/** Creates the lister: scope resolution, plan choice, keyset paging. */
export function createQuarantineLister(sequelize: Sequelize, options: ListerOptions = {}): QuarantineLister {
  const resolver: RecipientIdResolver = options.resolver ?? createRecipientIdResolver(sequelize);
  const thresholds = (dialect: Dialect) => {
    const defaults = PLAN_THRESHOLDS[dialect === 'postgres' ? 'postgres' : 'mysql'];
    return { keysFirstFrom: options.keysFirstFrom ?? defaults.keysFirstFrom, timeFrom: options.timeFrom ?? defaults.timeFrom };
  };
  const countCap = options.countCap ?? 1_000;
  const index: IndexLister | undefined = options.useIndex === false ? undefined : createIndexLister(sequelize);
  const weightCache = new Map<string, { at: number; rows: number }>();

  const scopeKeyOf = (rids: string[]) => (rids.length > 50 ? `n${rids.length}:${rids[0]}:${rids.at(-1)}` : rids.join(','));

  /** How many recipient rows the scope has, counted only up to timeFrom, and remembered for a minute. */
  async function scopeRows(rids: string[], timeFrom: number): Promise<number> {
    const key = scopeKeyOf(rids);
    const cached = weightCache.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.rows;
    const [row] = await sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM msgrcpt WHERE rid IN (:rids) LIMIT ${timeFrom}) t`, {
      type: QueryTypes.SELECT,
      replacements: { rids },
    });
    const rows = Number(row?.n ?? 0);
    if (weightCache.size > 10_000) weightCache.clear();
    weightCache.set(key, { at: Date.now(), rows });
    return rows;
  }

  function rowFilter(dialect: Dialect, rids: string[] | undefined, query: ListQuery): SqlPart {
    // In the row filter itself, so that every plan's walk (the time plan's EXISTS among them) skips the
    // copies amavisd delivered: a message whose only match is such a copy must not take a page's place.
    const parts: string[] = [HELD_COPY];
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
    const search = (text: string, name: string, columns: Array<[string, boolean]>) => {
      const part = containsAny(
        dialect,
        columns.map(([expr, binary]) => ({ expr, binary })),
        text,
        name,
      );
      parts.push(part.sql);
      Object.assign(replacements, part.replacements);
    };
    if (query.q) {
      search(query.q, 'q', [
        ['m.subject', false],
        ['m.from_addr', false],
        ['s.email', true],
        ['r.email', true],
      ]);
    }
    if (query.from) {
      search(query.from, 'fromQ', [
        ['s.email', true],
        ['m.from_addr', false],
      ]);
    }
    if (query.to) search(query.to, 'toQ', [['r.email', true]]);
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

  async function byRecipient(
    dialect: Dialect,
    where: SqlPart,
    sort: 'date' | 'score',
    cursor: ListCursor | undefined,
    limit: number,
    pinned: boolean,
  ): Promise<ListRow[]> {
    const keyset = cursor ? rowKeyset(dialect, cursor) : undefined;
    const full = keyset ? { sql: `${where.sql} AND ${keyset.sql}`, replacements: { ...where.replacements, ...keyset.replacements } } : where;
    const sql = recipientPlanSql(dialect, full, sort, limit, pinned);
    return sequelize.query<ListRow>(sql.sql, { type: QueryTypes.SELECT, replacements: sql.replacements });
  }

  async function byTime(dialect: Dialect, where: SqlPart, cursor: ListCursor | undefined, limit: number): Promise<ListRow[]> {
    // Every picked message has a matching row; the cursor's own message may have none left: +1.
    const sql = timePlanSql(dialect, where, cursor, limit + 1, limit);
    return sequelize.query<ListRow>(sql.sql, { type: QueryTypes.SELECT, replacements: sql.replacements });
  }

  // Per scope, the share of walked messages that yielded a row last time (clean mail is in msgs but not
  // quarantined, and deleted rows are skipped), so the next walk takes about what a page needs.
  const yieldCache = new Map<string, number>();

  async function keysFirst(dialect: Dialect, rids: string[], where: SqlPart, cursor: ListCursor | undefined, limit: number): Promise<ListRow[]> {
    const scopeKey = scopeKeyOf(rids);
    const expected = yieldCache.get(scopeKey) ?? 0.5;
    const rowKey = cursor ? rowKeyset(dialect, cursor) : undefined;
    let from: SqlPart | undefined = cursor ? messageKeyset(dialect, cursor, true) : undefined;
    let pick = Math.ceil((limit / Math.max(expected, 0.05)) * 1.2) + 2;
    let walked = 0;
    const rows: ListRow[] = [];
    // The walk cannot see rs or quar_type, so a batch may yield less than a page: continue the walk
    // from its last key with a bigger batch; past a bound, the recipient plan answers (slower, never wrong).
    for (let round = 0; round < 6; round++) {
      const walk = keysFirstWalkSql(dialect, rids, from, pick);
      const keys = await sequelize.query<{ time_num: number; partition_tag: number; mail_id: Buffer | string }>(walk.sql, {
        type: QueryTypes.SELECT,
        replacements: walk.replacements,
      });
      if (keys.length > 0) {
        const step2 = rowsOfMessagesSql(dialect, keys, where, rowKey);
        rows.push(...(await sequelize.query<ListRow>(step2.sql, { type: QueryTypes.SELECT, replacements: step2.replacements })));
      }
      walked += keys.length;
      const last = keys.at(-1);
      if (rows.length >= limit || keys.length < pick || !last) {
        if (walked > 0) {
          if (yieldCache.size > 10_000) yieldCache.clear();
          yieldCache.set(scopeKey, Math.max(0.05, new Set(rows.map((r) => `${r.partition_tag}:${String(r.mail_id)}`)).size / walked));
        }
        return rows.slice(0, limit);
      }
      from = messageKeyset(dialect, { timeNum: Number(last.time_num), partitionTag: Number(last.partition_tag), mailId: binaryText(last.mail_id) }, false, `w${round}`);
      pick *= 2;
    }
    return byRecipient(dialect, where, 'date', cursor, limit, true);
  }

  return {
    async list(scope, query) {
      // The list index has no deleted copies: a listing of deleted mail reads amavis's tables. So does a
      // small user's newest or highest-scored page: one statement by recipient is quicker (bench:list).
      if (index && !query.status?.includes('deleted') && !(await smallEnoughForTables(scope, query)) && (await index.ready()))
        return listFromIndex(index, resolver, scope, query, { countCap, recipientDelimiter: options.recipientDelimiter });
      const sort = query.sort ?? 'date';
      if ((sort !== 'date' && sort !== 'score') || (query.dir ?? 'desc') !== 'desc') {
        throw new AppError(
          503,
          'list_index_missing',
          'sorting by sender or subject, or oldest first, needs the list index, which is not built yet (npm run migrate installs it)',
        );
      }
      const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
      if (query.cursor && (!cursor || cursor.sort !== sort)) {
        throw new AppError(400, 'validation_failed', 'the cursor is invalid or belongs to another sort order; start again from the first page');
      }
      const dialect = await amavisDialect(sequelize);
      const rids = await resolver.forScope(scope, options.recipientDelimiter);
      if (rids && rids.length === 0) return { rows: [], nextCursor: null, ...(query.count ? { count: { value: 0, capped: false } } : {}) };
      const where = rowFilter(dialect, rids, query);
      const { plan, pinned } = await choosePlan(dialect, rids, query, sort);
      const fetch = query.limit + 1;
      const fetched =
        plan === 'time'
          ? await byTime(dialect, where, cursor, fetch)
          : plan === 'keys-first'
            ? await keysFirst(dialect, rids ?? [], where, cursor, fetch)
            : await byRecipient(dialect, where, sort, cursor, fetch, pinned);
      const rows = fetched.slice(0, query.limit);
      const last = rows.at(-1);
      const nextCursor = fetched.length > query.limit && last ? encodeCursor(cursorOf(last, sort)) : null;
      const result: ListResult = { rows, nextCursor };
      if (query.count) result.count = await countRows(dialect, where);
      return result;
    },
  };

  /** A user with a couple of hundred rows at most, asking what amavis's tables answer the same way (no text search). */
  async function smallEnoughForTables(scope: ListScope, query: ListQuery): Promise<boolean> {
    if (scope.kind !== 'addresses' || query.q || query.from || query.to || (query.sort ?? 'date') === 'sender' || query.sort === 'subject') return false;
    if ((query.dir ?? 'desc') !== 'desc') return false;
    // A page continues in the format that began it.
    if (query.cursor) return decodeCursor(query.cursor) !== undefined;
    const rids = (await resolver.forScope(scope, options.recipientDelimiter)) ?? [];
    const dialect = await amavisDialect(sequelize);
    // Below ~200 rows, sorting them all costs less than the index's walk and read-back (bench:list: 27
    // rows 0.7 ms against 0.9-1.2 ms; 352 rows 4.2 ms against 2.5 ms).
    return rids.length > 0 && (await scopeRows(rids, thresholds(dialect).timeFrom)) < SMALL_SCOPE_ROWS;
  }

  /**
   * Searches, filters and the score order are bounded by the scope's own rows, so they go by recipient
   * whenever there is a scope. The newest-first page goes by the scope's size: by recipient, keys first,
   * or by time (and always by time for everyone).
   *
   * `pinned`: PostgreSQL must follow the choice by recipient (see recipientPlanSql), except for a type
   * or status filter or the score order over a heavy scope: there its planner, which knows how common
   * each content and rs code is, picks between walking the time index and reading the scope's rows, and
   * beat the pinned plan up to 100 times (type=spam: 6 ms instead of 560). Not for text searches: it can
   * only guess how often ILIKE '%…%' matches, and walked all of msgs for a term that matched nothing
   * (2.6 s, pinned 1.0 s).
   */
  async function choosePlan(dialect: Dialect, rids: string[] | undefined, query: ListQuery, sort: ListSort): Promise<{ plan: ListPlan; pinned: boolean }> {
    if (rids === undefined) return { plan: sort === 'date' ? 'time' : 'recipient', pinned: false };
    const { keysFirstFrom, timeFrom } = thresholds(dialect);
    const selective = Boolean(query.q || query.from || query.to || query.type?.length || query.status?.length);
    if (sort !== 'date' || selective) {
      const searched = Boolean(query.q || query.from || query.to);
      return { plan: 'recipient', pinned: dialect === 'postgres' && (searched || (await scopeRows(rids, timeFrom)) < timeFrom) };
    }
    const rows = await scopeRows(rids, timeFrom);
    return { plan: rows >= timeFrom ? 'time' : rows >= keysFirstFrom ? 'keys-first' : 'recipient', pinned: true };
  }

  /** Counts matching rows, but stops at the cap: an exact COUNT over amavis's tables can take minutes. */
  async function countRows(dialect: Dialect, where: SqlPart): Promise<{ value: number; capped: boolean }> {
    const sql = recipientPlanSql(dialect, where, 'unordered', countCap + 1);
    const [row] = await sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (${sql.sql}) t`, {
      type: QueryTypes.SELECT,
      replacements: sql.replacements,
    });
    const value = Number(row?.n ?? 0);
    return value > countCap ? { value: countCap, capped: true } : { value, capped: false };
  }
}
