import { QueryTypes, type Sequelize } from 'sequelize';
import { binaryText } from './binary';
import { amavisDialect } from './dialect';
import type { ListSort } from './list-index-ddl';
import { countSql, textSql, walkSql, type Candidate, type IndexCursor, type IndexQuery, type SortDir } from './list-index-query';
import { rowsOfCandidatesSql, withRowsSql, type CandidateRow } from './list-index-rows';
import { readListIndexState } from './list-indexer';
import type { ListRow, SqlPart } from './list-parts';

/** How many rows of each branch a text search reads in order before it asks the text index instead. */
const WALK = 1_000;

export interface IndexListInput {
  scope: IndexQuery['scope'];
  sort: ListSort;
  dir: SortDir;
  contents?: string[] | undefined;
  rsCodes?: string[] | undefined;
  q?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  after?: IndexCursor | undefined;
  limit: number;
  count?: boolean | undefined;
  countCap: number;
}

export interface IndexListResult {
  rows: ListRow[];
  next: IndexCursor | null;
  count?: { value: number; capped: boolean };
}

export interface IndexLister {
  /** Whether the list index is built (asked of the database at most once a second). */
  ready(): Promise<boolean>;
  list(input: IndexListInput): Promise<IndexListResult>;
}

/** The words of a search, lowercased: letters, digits and underscores, as the text indexes split them. */
export function searchWords(text: string | undefined): string[] {
  return [...new Set((text ?? '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])].slice(0, 8);
}

/** Lists from the list table: candidates in order from its indexes, then their rows from amavis's tables. */
export function createIndexLister(sequelize: Sequelize): IndexLister {
  let known: { at: number; ready: Promise<boolean> } | undefined;

  function ready(): Promise<boolean> {
    if (!known || Date.now() - known.at > 1_000) {
      const probe = readListIndexState(sequelize).then(
        (s) => Boolean(s?.ready),
        () => false,
      );
      known = { at: Date.now(), ready: probe };
    }
    return known.ready;
  }

  const select = <T extends object>(part: { sql: string; replacements: Record<string, unknown> }) =>
    sequelize.query<T>(part.sql, { type: QueryTypes.SELECT, replacements: part.replacements });

  /** The next `n` candidates after q.after, each with its row when the copy is still listable. */
  async function candidates(q: IndexQuery, n: number): Promise<Array<{ at: Candidate; row: ListRow | undefined }>> {
    const dialect = await amavisDialect(sequelize);
    const joined = async (part: SqlPart) =>
      (await select<CandidateRow>(withRowsSql(dialect, part, q))).map((r) => ({
        at: { id: r.c_id, k: r.c_k, time_num: r.c_time, partition_tag: r.c_partition_tag, mail_id: r.c_mail_id, rseqnum: r.c_rseqnum },
        row: r.mail_id !== null && r.mail_id !== undefined && r.rseqnum !== null && r.rseqnum !== undefined ? (r as ListRow) : undefined,
      }));
    if (q.words.length === 0) return joined(walkSql(dialect, q, n));
    const walked = await select<Candidate>(walkSql(dialect, q, n, WALK));
    const perBranch = new Map<string, { rows: number; hits: number }>();
    for (const row of walked) {
      const b = perBranch.get(String(row.b)) ?? { rows: 0, hits: 0 };
      b.rows++;
      if (Number(row.hit) === 1) b.hits++;
      perBranch.set(String(row.b), b);
    }
    // Exact when every branch was read to its end or gave a page of its own.
    const complete = [...perBranch.values()].every((b) => b.rows < WALK || b.hits >= n);
    if (complete) {
      const hits = walked.filter((row) => Number(row.hit) === 1).slice(0, n);
      const rows = hits.length ? await select<ListRow>(rowsOfCandidatesSql(dialect, hits, q.rsCodes)) : [];
      const byKey = new Map(rows.map((row) => [`${row.partition_tag}:${binaryText(row.mail_id)}:${row.rseqnum}`, row]));
      return hits.map((at) => ({ at, row: byKey.get(`${at.partition_tag}:${binaryText(at.mail_id)}:${at.rseqnum}`) }));
    }
    return joined(textSql(dialect, q, n) ?? walkSql(dialect, { ...q, words: [] }, n, undefined, q.words));
  }

  return {
    ready,
    async list(input) {
      const dialect = await amavisDialect(sequelize);
      const fromWords = searchWords(input.from);
      const toWords = searchWords(input.to);
      const query: IndexQuery = {
        scope: input.scope,
        sort: input.sort,
        dir: input.dir,
        contents: input.contents,
        rsCodes: input.rsCodes,
        words: [...new Set([...searchWords(input.q), ...fromWords, ...toWords])],
        since: input.since,
        until: input.until,
        after: input.after,
      };
      // A from or to search is a search of the text index, then checked on that field.
      const keep = (row: ListRow) => {
        const from = `${binaryText(row.sender)} ${row.from_addr ?? ''}`.toLowerCase();
        const to = binaryText(row.recipient).toLowerCase();
        return fromWords.every((w) => from.includes(w)) && toWords.every((w) => to.includes(w));
      };
      const want = input.limit + 1;
      const page: Array<{ row: ListRow; at: Candidate }> = [];
      let batch = want;
      let last: Candidate | undefined;
      const seen = new Set<string>();
      // Copies that are gone or changed since they were indexed drop out when their rows are read back;
      // the walk then continues after the last candidate, with a bigger batch.
      for (let round = 0; round < 6 && page.length < want; round++) {
        const found = await candidates(query, batch);
        if (found.length === 0) {
          last = undefined;
          break;
        }
        for (const { at, row } of found) {
          // A domain admin's own address is also in the domain: its branch and the domain's give the same copy.
          if (row && keep(row) && page.length < want && !seen.has(String(at.id))) page.push({ row, at });
          seen.add(String(at.id));
          last = at;
        }
        if (found.length < batch) {
          last = undefined;
          break;
        }
        query.after = cursorAt(input.sort, input.dir, (found.at(-1) as { at: Candidate }).at);
        batch *= 2;
      }
      const shown = page.slice(0, input.limit);
      // Continue after the last row shown when there is one more; after the last candidate read when the
      // rounds ran out before the walk did (the page may then be short, even empty, but never final).
      const resumeAt = page.length > input.limit ? shown.at(-1)?.at : last;
      const result: IndexListResult = { rows: shown.map((p) => p.row), next: resumeAt ? cursorAt(input.sort, input.dir, resumeAt) : null };
      if (input.count) {
        const [row] = await select<{ n: number }>(countSql(dialect, { ...query, after: undefined }, input.countCap));
        const value = Number(row?.n ?? 0);
        result.count = value > input.countCap ? { value: input.countCap, capped: true } : { value, capped: false };
      }
      return result;
    },
  };
}

function cursorAt(sort: ListSort, dir: SortDir, c: Candidate): IndexCursor {
  return { sort, dir, key: sort === 'date' ? null : String(c.k), timeNum: Number(c.time_num), id: String(c.id) };
}

/** Index cursors are opaque to clients too: base64url of ["i", sort, dir, key, time_num, id]. */
export function encodeIndexCursor(c: IndexCursor): string {
  return Buffer.from(JSON.stringify(['i', c.sort, c.dir, c.key, c.timeNum, c.id])).toString('base64url');
}

export function decodeIndexCursor(raw: string): IndexCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(raw)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 6 || value[0] !== 'i') return undefined;
    const [, sort, dir, key, timeNum, id] = value as unknown[];
    if (sort !== 'date' && sort !== 'score' && sort !== 'sender' && sort !== 'subject') return undefined;
    if (dir !== 'asc' && dir !== 'desc') return undefined;
    if (!Number.isInteger(timeNum) || (timeNum as number) < 0 || (timeNum as number) > 4_294_967_295) return undefined;
    if (typeof id !== 'string' || !/^\d{1,19}$/.test(id) || BigInt(id) > 9_223_372_036_854_775_807n) return undefined;
    if (sort === 'date' ? key !== null : typeof key !== 'string' || [...key].length > 64) return undefined;
    if (sort === 'score' && !/^-?\d{1,9}(\.\d{1,3})?$/.test(key as string)) return undefined;
    return { sort, dir, key: key as string | null, timeNum: timeNum as number, id };
  } catch {
    return undefined;
  }
}
