import type { ListQuery, ListScope, QuarantineLister } from '../../server/amavis/listing';
import type { Timing } from './report';
import type { BenchSubject, BenchSubjects } from './subjects';

export const PAGE = 50;
// What the issue asks of the listing (p95 of the list() call), and of the comparison with MailZu.
const TYPICAL_MS = 2;
const ANY_USER_MS = 20;
const SUPER_MS = 2;
export const MAILZU_FACTOR = 100;
// Users' +extension addresses (alice+news@…) belong to them, as with a Postfix recipient_delimiter.
export const DELIMITER = '+';

export interface Scenario {
  name: string;
  scope: ListScope;
  query: ListQuery;
  /** p95 target in ms; none for the scenarios that only inform. */
  target?: number;
  /** Resolves the cursor of a deep page before timing starts, and names the page it reached. */
  prepare?: (lister: QuarantineLister) => Promise<{ query: ListQuery; name: string }>;
}

export interface Measured {
  scenario: Scenario;
  firstCall: number;
  timing: Timing;
  pageRows: number;
  /** The first call's rows as partition_tag/mail_id/rseqnum, to check that the databases list the same rows. */
  pageKeys: string[];
  /** Set when the listing failed (a statement timeout, say): the scenario has no figures. */
  error?: string;
}

/** The scenarios, in the order they are timed and printed; `typical` and `heaviest` are the first pages MailZu is compared with. */
export function buildScenarios(subjects: BenchSubjects): { scenarios: Scenario[]; typical: Scenario; heaviest: Scenario } {
  const user = (s: BenchSubject): ListScope => ({ kind: 'addresses', addresses: [s.email] });
  const who = (s: BenchSubject) => `${s.email}, ${s.rows.toLocaleString('en-US')} rows`;
  const deepPage = (subject: BenchSubject, label: string, depth: number): Scenario => ({
    name: `${label}, keyset page ${depth + 1}`,
    scope: user(subject),
    query: { limit: PAGE },
    prepare: async (lister) => {
      const { query, pages } = await followCursor(lister, user(subject), depth);
      return { query, name: `${label}, keyset page ${pages + 1} (after ${(pages * PAGE).toLocaleString('en-US')} rows)` };
    },
  });
  const scenarios: Scenario[] = [
    { name: `typical (median) user, first page (${who(subjects.median)})`, scope: user(subjects.median), query: { limit: PAGE }, target: TYPICAL_MS },
    { name: `p90 user, first page (${who(subjects.p90)})`, scope: user(subjects.p90), query: { limit: PAGE }, target: ANY_USER_MS },
    { name: `p99 user, first page (${who(subjects.p99)})`, scope: user(subjects.p99), query: { limit: PAGE }, target: ANY_USER_MS },
    { name: `p99.9 user, first page (${who(subjects.p999)})`, scope: user(subjects.p999), query: { limit: PAGE }, target: ANY_USER_MS },
    { name: `heaviest user, first page (${who(subjects.heaviest)})`, scope: user(subjects.heaviest), query: { limit: PAGE }, target: ANY_USER_MS },
    deepPage(subjects.p999, 'p99.9 user', 9),
    deepPage(subjects.heaviest, 'heaviest user', 49),
    { name: 'heaviest user, first page by score', scope: user(subjects.heaviest), query: { limit: PAGE, sort: 'score' } },
    { name: 'heaviest user, first page of viruses', scope: user(subjects.heaviest), query: { limit: PAGE, type: ['virus'] } },
    { name: 'super user, newest page', scope: { kind: 'all' }, query: { limit: PAGE }, target: SUPER_MS },
    {
      name: `domain admin, largest domain (${subjects.largestDomain.domain}, ${subjects.largestDomain.rows.toLocaleString('en-US')} rows)`,
      scope: { kind: 'domains', domains: [subjects.largestDomain.domain] },
      query: { limit: PAGE },
    },
    {
      name: `domain admin, smallest domain (${subjects.smallestDomain.domain}, ${subjects.smallestDomain.rows.toLocaleString('en-US')} rows)`,
      scope: { kind: 'domains', domains: [subjects.smallestDomain.domain] },
      query: { limit: PAGE },
    },
    { name: 'typical user, search q=offer', scope: user(subjects.median), query: { limit: PAGE, q: 'offer' } },
    { name: 'heaviest user, search q=offer', scope: user(subjects.heaviest), query: { limit: PAGE, q: 'offer' } },
    // A term no row has: the search reads all of the scope's rows (a walk of the time index would read all of msgs).
    { name: 'heaviest user, search matching nothing', scope: user(subjects.heaviest), query: { limit: PAGE, q: 'zq-nothing' } },
  ];
  return { scenarios, typical: scenarios[0] as Scenario, heaviest: scenarios[4] as Scenario };
}

/** Pages up to `depth` times through a scope; returns the query for the next page and the pages read. */
async function followCursor(lister: QuarantineLister, scope: ListScope, depth: number): Promise<{ query: ListQuery; pages: number }> {
  let cursor: string | undefined;
  let pages = 0;
  while (pages < depth) {
    const result = await lister.list(scope, { limit: PAGE, cursor });
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
    pages++;
  }
  return { query: { limit: PAGE, cursor }, pages };
}
