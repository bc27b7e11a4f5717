import type { BenchDb } from './bench-db';

/** A local user picked by how many msgrcpt rows their address has. */
export interface BenchSubject {
  email: string;
  rows: number;
  quarantined: number;
}

export interface BenchDomain {
  domain: string;
  users: number;
  rows: number;
}

/** The users and domains the benchmark lists for, read from aq_bench_users (written by the generator). */
export interface BenchSubjects {
  /** The median user by row count: the typical user. */
  median: BenchSubject;
  p90: BenchSubject;
  p99: BenchSubject;
  p999: BenchSubject;
  heaviest: BenchSubject;
  largestDomain: BenchDomain;
  smallestDomain: BenchDomain;
  users: number;
}

/** Picks the users at row-count percentiles, the heaviest user, and the largest and smallest domains. */
export async function pickSubjects(db: BenchDb): Promise<BenchSubjects> {
  const [count] = await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM aq_bench_users');
  const users = Number(count?.n ?? 0);
  if (users === 0) throw new Error('aq_bench_users is empty: regenerate with --regenerate');
  const atRank = async (rank: number): Promise<BenchSubject> => {
    // email is VARBINARY or bytea: both sort by bytes, so both databases pick the same users.
    const [row] = await db.query<{ email: Buffer | string; msgrcpt_rows: number; quarantined_rows: number }>(
      'SELECT email, msgrcpt_rows, quarantined_rows FROM aq_bench_users ORDER BY msgrcpt_rows, email LIMIT 1 OFFSET ?',
      [Math.min(users - 1, Math.max(0, rank))],
    );
    if (!row) throw new Error(`aq_bench_users has no row at rank ${rank}`);
    return { email: String(row.email), rows: Number(row.msgrcpt_rows), quarantined: Number(row.quarantined_rows) };
  };
  type DomainRow = { domain: string; users: string | number; n: string | number };
  const domains = await db.query<DomainRow>('SELECT domain, COUNT(*) AS users, SUM(msgrcpt_rows) AS n FROM aq_bench_users GROUP BY domain ORDER BY n DESC, domain');
  const domain = (row: DomainRow | undefined): BenchDomain => ({ domain: String(row?.domain), users: Number(row?.users), rows: Number(row?.n) });
  return {
    median: await atRank(Math.floor((users - 1) / 2)),
    p90: await atRank(Math.floor(0.9 * (users - 1))),
    p99: await atRank(Math.floor(0.99 * (users - 1))),
    p999: await atRank(Math.floor(0.999 * (users - 1))),
    heaviest: await atRank(users - 1),
    largestDomain: domain(domains[0]),
    smallestDomain: domain(domains.at(-1)),
    users,
  };
}

/** `count` distinct users around the median by row count (the typical users), for one connection each. */
export async function usersAroundMedian(db: BenchDb, count: number, users: number): Promise<BenchSubject[]> {
  const first = Math.max(0, Math.floor((users - 1) / 2) - Math.floor(count / 2));
  const rows = await db.query<{ email: Buffer | string; msgrcpt_rows: number; quarantined_rows: number }>(
    `SELECT email, msgrcpt_rows, quarantined_rows FROM aq_bench_users ORDER BY msgrcpt_rows, email LIMIT ${Math.floor(count)} OFFSET ${first}`,
  );
  return rows.map((row) => ({ email: String(row.email), rows: Number(row.msgrcpt_rows), quarantined: Number(row.quarantined_rows) }));
}
