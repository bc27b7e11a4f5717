import type mysql from 'mysql2/promise';

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
export async function pickSubjects(conn: mysql.Connection): Promise<BenchSubjects> {
  const [countRows] = await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM aq_bench_users');
  const users = Number(countRows[0]?.n ?? 0);
  if (users === 0) throw new Error('aq_bench_users is empty: regenerate with --regenerate');
  const atRank = async (rank: number): Promise<BenchSubject> => {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT email, msgrcpt_rows, quarantined_rows FROM aq_bench_users ORDER BY msgrcpt_rows, email LIMIT 1 OFFSET ?',
      [Math.min(users - 1, Math.max(0, rank))],
    );
    const row = rows[0] as mysql.RowDataPacket;
    return { email: String(row.email), rows: Number(row.msgrcpt_rows), quarantined: Number(row.quarantined_rows) };
  };
  const [domains] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT domain, COUNT(*) AS users, SUM(msgrcpt_rows) AS n FROM aq_bench_users GROUP BY domain ORDER BY n DESC, domain',
  );
  const domain = (row: mysql.RowDataPacket | undefined): BenchDomain => ({ domain: String(row?.domain), users: Number(row?.users), rows: Number(row?.n) });
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
