import mysql from 'mysql2/promise';
import pg from 'pg';

/** The databases the bench runs on: amavisd's two storage back ends. */
export type BenchKind = 'mariadb' | 'postgres';

/** The benchmark's own databases: never the `amavis` database the test stack uses. */
export const DEFAULT_BENCH_URLS: Record<BenchKind, string> = {
  mariadb: 'mysql://amavis:amavis-test-pw@127.0.0.1:3306/amavis_bench',
  postgres: 'postgres://amavis:amavis-test-pw@127.0.0.1:5432/amavis_bench',
};

/** The environment variable that names each database's URL. */
export const BENCH_URL_ENV: Record<BenchKind, string> = { mariadb: 'AQ_BENCH_DB_URL', postgres: 'AQ_BENCH_PG_URL' };

/** How each database is named in the output. */
export const KIND_LABEL: Record<BenchKind, string> = { mariadb: 'MariaDB', postgres: 'PostgreSQL' };

/** The kind a URL names: postgres:// or postgresql://, else MariaDB/MySQL. */
export function benchKindOfUrl(url: string): BenchKind {
  return /^postgres(ql)?:/.test(url) ? 'postgres' : 'mariadb';
}

/** The database named by the URL, refusing any that does not look like a throwaway bench database. */
export function benchDatabaseName(url: string): string {
  const name = decodeURIComponent(new URL(url.replace(/^(mariadb|postgresql):/, (s) => (s === 'mariadb:' ? 'mysql:' : 'postgres:'))).pathname.slice(1));
  // The generator drops and recreates this database (its tables on PostgreSQL): never let it near a
  // real amavis database.
  if (!/^[A-Za-z0-9_]+$/.test(name) || !/bench/i.test(name)) {
    throw new Error(`refusing to generate into database "${name}": the bench database name must contain "bench" (default amavis_bench)`);
  }
  return name;
}

/**
 * One connection to a bench database, whichever the server. Statements take `?` placeholders on both
 * (rewritten to $1, $2… for PostgreSQL); the bench's own statements hold no `?` in literals.
 */
export interface BenchDb {
  kind: BenchKind;
  url: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Literal SQL for a value, as the driver would write it (for re-runnable EXPLAIN statements). */
  escape(value: unknown): string;
  end(): Promise<void>;
  /** The driver's own connection, for what only it can do (LOAD DATA, COPY). */
  raw: mysql.Connection | pg.Client;
}

/** Opens a connection to the bench database (to the server alone, no database selected, when `database` is false: MariaDB only). */
export async function connectBenchDb(url: string, database = true): Promise<BenchDb> {
  const u = new URL(url.replace(/^(mariadb|postgresql):/, (s) => (s === 'mariadb:' ? 'mysql:' : 'postgres:')));
  const credentials = { host: u.hostname, user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  const name = benchDatabaseName(url);
  if (benchKindOfUrl(url) === 'postgres') {
    const client = new pg.Client({ ...credentials, port: Number(u.port || 5432), database: name, application_name: 'amavis-quarantine-bench' });
    try {
      await client.connect();
    } catch (error) {
      if ((error as { code?: string }).code === '3D000') {
        throw new Error(
          `PostgreSQL has no database ${name}: as postgres, CREATE ROLE ${credentials.user} LOGIN PASSWORD '…'; CREATE DATABASE ${name} OWNER ${credentials.user}`,
          { cause: error },
        );
      }
      throw error;
    }
    return {
      kind: 'postgres',
      url,
      raw: client,
      async query<T>(sql: string, params?: unknown[]) {
        // Without parameters the text goes as it is (an inlined statement may hold a '?' in a literal).
        let n = 0;
        const result = params?.length
          ? await client.query(
              sql.replace(/\?/g, () => `$${++n}`),
              params,
            )
          : await client.query(sql);
        return result.rows as T[];
      },
      escape: (value) =>
        Buffer.isBuffer(value) ? `'\\x${value.toString('hex')}'::bytea` : typeof value === 'number' ? String(value) : client.escapeLiteral(String(value)),
      end: () => client.end(),
    };
  }
  const conn = await mysql.createConnection({
    ...credentials,
    port: Number(u.port || 3306),
    ...(database ? { database: name } : {}),
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: 'utf8mb4',
  });
  return {
    kind: 'mariadb',
    url,
    raw: conn,
    async query<T>(sql: string, params?: unknown[]) {
      const [rows] = await conn.query(sql, params);
      return rows as T[];
    },
    escape: (value) => conn.escape(value),
    end: () => conn.end(),
  };
}
