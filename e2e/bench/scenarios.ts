import type { ListQuery, ListRow, ListScope, QuarantineLister } from '../../server/amavis/listing';
import { binaryText } from '../../server/amavis/binary';
import type { BaselineQuestion, BaselineScope } from './baseline-queries';
import type { Timing } from './report';
import type { BenchSubject, BenchSubjects } from './subjects';

export const PAGE = 50;
// What issue #13 asks of the listing (p95 of the list() call): a typical user's first page, every
// scope's first page, and everything else.
const TYPICAL_MS = 2;
const FIRST_PAGE_MS = 20;
const OTHER_MS = 100;
export const MAILZU_FACTOR = 100;
// Users' +extension addresses (alice+news@…) belong to them, as with a Postfix recipient_delimiter.
export const DELIMITER = '+';
/** A common word of the generated subjects ("Limited offer", "Special offer for you", "Hot offer inside"). */
export const SEARCH_HIT = 'offer';
/** A word no generated subject, name or address holds. */
export const SEARCH_MISS = 'zqxvj';
/** The page the deep-page scenario reaches by following cursors. */
export const DEEP_PAGE = 20;

export interface Scenario {
  name: string;
  /** The scope's short name (typical, heaviest, domain, super, p90…), for tables and comparisons. */
  scopeKey: string;
  /** The scope as printed (the names start with it). */
  scopeLabel: string;
  /** The question's short name (first page, type=banned, sort score asc…). */
  question: string;
  scope: ListScope;
  query: ListQuery;
  /** p95 target in ms. */
  target: number;
  /** Resolves what needs the data first (a deep page's cursor, a real sender) before timing starts. */
  prepare?: (lister: QuarantineLister) => Promise<{ query: ListQuery; name?: string }>;
  /** The same question for MailZu's and modoboa's shapes; undefined when they cannot ask it. */
  baseline?: { scope: BaselineScope; question: BaselineQuestion | ((query: ListQuery) => BaselineQuestion) };
  /** The first page should equal the old plans' (date or score, newest/highest first, no text search). */
  comparable: boolean;
}

export interface Measured {
  scenario: Scenario;
  /** The query that was timed (after prepare). */
  query: ListQuery;
  firstCall: number;
  timing: Timing;
  pageRows: number;
  /** The first call's rows as partition_tag/mail_id/rseqnum, to check that the databases list the same rows. */
  pageKeys: string[];
  /** The first call's rows' sort keys (time_num, or score|time_num), to tell a tie order from a wrong page. */
  pageSortKeys: string[];
  count?: { value: number; capped: boolean };
  /** Set when the listing failed (a statement timeout, say): the scenario has no figures. */
  error?: string;
}

/** A row's key, for comparisons between databases and plans. */
export const rowKey = (r: { partition_tag: number; mail_id: Buffer | string; rseqnum: number }) => `${r.partition_tag}/${binaryText(r.mail_id)}/${r.rseqnum}`;

/** A row's sort key in the query's order: the time, or the score (as the list index rounds it) and the time. */
export function sortKey(row: ListRow, query: ListQuery): string {
  if (query.sort !== 'score') return String(row.time_num);
  const score = row.bspam_level ?? row.spam_level;
  return `${score === null ? '-9999.000' : Number(score).toFixed(3)}|${row.time_num}`;
}

/** The orders MailZu's and modoboa's statements are timed in (a page 20 or a count is their first page again). */
const BASELINE_ORDERS = new Set(['date desc', 'score desc', 'sender asc', 'subject asc']);

interface BenchScope {
  key: string;
  label: string;
  scope: ListScope;
  baseline: BaselineScope;
  firstTarget: number;
}

/**
 * The matrix of issue #13: the typical user, the heaviest user, the biggest domain's admin and a super
 * user, each asked every question; then the first pages of the users between (informative, ≤ 20 ms).
 * `endTime` is the data's end (aq_bench_meta): the date window is one day, 10 days before it.
 */
export function buildScenarios(subjects: BenchSubjects, endTime: number): Scenario[] {
  const who = (s: BenchSubject) => `${s.email}, ${s.rows.toLocaleString('en-US')} rows`;
  const user = (key: string, label: string, s: BenchSubject, firstTarget: number): BenchScope => ({
    key,
    label: `${label} (${who(s)})`,
    scope: { kind: 'addresses', addresses: [s.email] },
    baseline: { kind: 'address', email: s.email },
    firstTarget,
  });
  const d = subjects.largestDomain;
  const scopes: BenchScope[] = [
    user('typical', 'typical (median) user', subjects.median, TYPICAL_MS),
    user('heaviest', 'heaviest user', subjects.heaviest, FIRST_PAGE_MS),
    {
      key: 'domain',
      label: `domain admin (${d.domain}, ${d.users.toLocaleString('en-US')} addresses, ${d.rows.toLocaleString('en-US')} rows)`,
      scope: { kind: 'domains', domains: [d.domain] },
      baseline: { kind: 'domain', domain: d.domain },
      firstTarget: FIRST_PAGE_MS,
    },
    { key: 'super', label: 'super user (everyone)', scope: { kind: 'all' }, baseline: { kind: 'all' }, firstTarget: FIRST_PAGE_MS },
  ];
  const since = endTime - 10 * 86_400;
  const out: Scenario[] = [];
  for (const s of scopes) {
    const ask = (question: string, query: Omit<ListQuery, 'limit'>, extra: Partial<Scenario> = {}): void => {
      const sort = query.sort ?? 'date';
      const dir = query.dir ?? 'desc';
      out.push({
        name: `${s.label}, ${question}`,
        scopeKey: s.key,
        scopeLabel: s.label,
        question,
        scope: s.scope,
        query: { limit: PAGE, ...query },
        target: OTHER_MS,
        comparable: (sort === 'date' || sort === 'score') && dir === 'desc',
        // The baselines only for one direction of each order: theirs sort every row either way.
        ...(BASELINE_ORDERS.has(`${sort} ${dir}`) ? { baseline: { scope: s.baseline, question: { order: sort, dir } } } : {}),
        ...extra,
      });
    };
    ask('first page', {}, { target: s.firstTarget });
    ask('type=banned', { type: ['banned'] }, { baseline: { scope: s.baseline, question: { order: 'date', dir: 'desc', content: 'B' } } });
    ask('type=spam', { type: ['spam'] }, { baseline: { scope: s.baseline, question: { order: 'date', dir: 'desc', content: 'S' } } });
    ask('status=requested', { status: ['requested'] }, { baseline: { scope: s.baseline, question: { order: 'date', dir: 'desc', pending: true } } });
    for (const sort of ['date', 'score', 'sender', 'subject'] as const) {
      for (const dir of ['desc', 'asc'] as const) if (sort !== 'date' || dir !== 'desc') ask(`sort ${sort} ${dir}`, { sort, dir });
    }
    // Word-prefix search (the index) against substring search (the old plans): pages may differ.
    const search = (term: string) => ({ scope: s.baseline, question: { order: 'date' as const, dir: 'desc' as const, search: term } });
    ask(`search hit q=${SEARCH_HIT}`, { q: SEARCH_HIT }, { comparable: false, baseline: search(SEARCH_HIT) });
    ask(`search miss q=${SEARCH_MISS}`, { q: SEARCH_MISS }, { comparable: false, baseline: search(SEARCH_MISS) });
    ask(
      'from=<a sender of the scope>',
      {},
      {
        comparable: false,
        prepare: async (lister) => {
          // A real envelope sender of this scope: the one of a row in the middle of its newest page.
          const page = await lister.list(s.scope, { limit: PAGE });
          const row = page.rows[Math.floor(page.rows.length / 2)];
          const from = row?.sender ? binaryText(row.sender) : 'nobody@nowhere.invalid';
          return { query: { limit: PAGE, from }, name: `${s.label}, from=${from}` };
        },
        baseline: { scope: s.baseline, question: (query) => ({ order: 'date', dir: 'desc', from: query.from ?? '' }) },
      },
    );
    ask('1-day window 10 days back', { since, until: since + 86_400 }, { baseline: undefined });
    ask(
      `page ${DEEP_PAGE}`,
      {},
      {
        baseline: undefined,
        prepare: async (lister) => {
          const { query, pages } = await followCursor(lister, s.scope, DEEP_PAGE - 1);
          return { query, name: `${s.label}, page ${pages + 1} (after ${(pages * PAGE).toLocaleString('en-US')} rows)` };
        },
      },
    );
    ask('count', { count: true }, { baseline: undefined });
  }
  for (const [key, label, subject] of [
    ['p90', 'p90 user', subjects.p90],
    ['p99', 'p99 user', subjects.p99],
    ['p99.9', 'p99.9 user', subjects.p999],
  ] as const) {
    const s = user(key, label, subject, FIRST_PAGE_MS);
    out.push({
      name: `${s.label}, first page`,
      scopeKey: key,
      scopeLabel: s.label,
      question: 'first page',
      scope: s.scope,
      query: { limit: PAGE },
      target: FIRST_PAGE_MS,
      comparable: true,
    });
  }
  return out;
}

/** Pages up to `depth` times through a scope; returns the query for the next page and the pages read. */
export async function followCursor(
  lister: QuarantineLister,
  scope: ListScope,
  depth: number,
  base: ListQuery = { limit: PAGE },
): Promise<{ query: ListQuery; pages: number }> {
  let cursor: string | undefined;
  let pages = 0;
  while (pages < depth) {
    const result = await lister.list(scope, { ...base, cursor });
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
    pages++;
  }
  return { query: { ...base, cursor }, pages };
}
