import { AsyncLocalStorage } from 'node:async_hooks';
import { BaseError, ConnectionAcquireTimeoutError, ConnectionError, QueryTypes, Sequelize, type Options, type QueryOptions, Transaction } from 'sequelize';
import { AppError } from '../errors';

/** How a pool bounds its work; see DatabaseLimits in server/config/database.ts. */
export interface PoolLimits {
  statementTimeoutMs: number;
  poolMax: number;
  acquireTimeoutMs: number;
}

export interface SequelizeOptions {
  limits?: PoolLimits;
  /**
   * Retry once a read outside a transaction whose pooled connection turned out to be cut (failover,
   * wait_timeout, a proxy restart). Off for the listing pool: a listing is the heavy statement, and
   * running it twice at the moment the database is in trouble only makes the trouble worse.
   */
  retryCutReads?: boolean;
  /** Stops a running statement by its connection id (see statementKiller), from another connection. */
  killQuery?: (connectionId: number) => Promise<unknown>;
}

/** What the client waits beyond the server's own limit before it drops a connection as stalled. */
const STALL_GRACE_MS = 5_000;

/** The defaults of a pool when no limits are given (the CLI tools). */
const DEFAULT_LIMITS: PoolLimits = { statementTimeoutMs: 15_000, poolMax: 10, acquireTimeoutMs: 10_000 };

// The request a query belongs to, so that a listing whose client went away stops its statement.
const abandonment = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` so that the statements it starts are stopped (and no new ones begin) once `signal` aborts. */
export function runAbandonable<T>(signal: AbortSignal, work: () => T): T {
  return abandonment.run(signal, work);
}

/** The signal of the abandonable work this code runs in (the listing of a request still waited for), if any. */
export function abandonSignal(): AbortSignal | undefined {
  return abandonment.getStore();
}

/** The SQL dialects the server runs on: the amavis database on MariaDB/MySQL or PostgreSQL, SQLite for the demo. */
type DbDialect = 'mysql' | 'postgres' | 'sqlite';

/** The dialect a database URL names. */
function dialectOfUrl(url: string): DbDialect {
  if (url.startsWith('sqlite:')) return 'sqlite';
  return /^postgres(ql)?:/.test(url) ? 'postgres' : 'mysql';
}

/** Opens a Sequelize connection from AQ_DB_URL (`mysql://…`, `postgres://…`, or `sqlite:<path>` for the demo). */
export function createSequelize(url: string, options: SequelizeOptions = {}): Sequelize {
  const dialect = dialectOfUrl(url);
  if (dialect === 'sqlite') {
    // IMMEDIATE: a transaction that reads, then writes (a release, a delete) takes the write lock at BEGIN.
    // A deferred one cannot upgrade its read lock once another writer committed, and fails at once with
    // SQLITE_BUSY however long the busy timeout is.
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false, transactionType: Transaction.TYPES.IMMEDIATE });
    // Sequelize gives each SQLite transaction its own connection: with WAL, readers never block the
    // writer, and a writer waits for another instead of failing at once with SQLITE_BUSY.
    sequelize.addHook('afterConnect', (connection) => {
      const db = connection as { run(sql: string): void; configure(option: 'busyTimeout', ms: number): void };
      db.configure('busyTimeout', 5_000);
      db.run('PRAGMA journal_mode = WAL');
    });
    return sequelize;
  }
  const limits = options.limits ?? DEFAULT_LIMITS;
  const pool = { max: limits.poolMax, min: 0, idle: 10_000, acquire: limits.acquireTimeoutMs };
  if (dialect === 'postgres') {
    const sequelize = new Sequelize(url.replace(/^postgresql:/, 'postgres:'), {
      dialect: 'postgres',
      logging: false,
      timezone: '+00:00',
      pool,
      dialectOptions: {
        connectionTimeoutMillis: 5_000,
        // The server stops any statement of ours that runs too long (lock waits included).
        statement_timeout: Math.round(limits.statementTimeoutMs),
        application_name: 'amavis-quarantine',
      },
    } satisfies Options);
    guardQueries(sequelize, limits, options);
    return sequelize;
  }
  const sequelize = new Sequelize(url.replace(/^mariadb:/, 'mysql:'), {
    dialect: 'mysql',
    logging: false,
    timezone: '+00:00',
    pool,
    dialectOptions: {
      connectTimeout: 5_000,
      // maddr.id and msgs.sid are BIGINT UNSIGNED: keep them exact, as strings.
      supportBigNumbers: true,
      bigNumberStrings: true,
    },
  } satisfies Options);
  sequelize.addHook('afterConnect', (connection) => limitStatements(connection as MysqlConnection, limits.statementTimeoutMs));
  guardQueries(sequelize, limits, options);
  return sequelize;
}

/**
 * Stops the statement running on another connection of this database, by the id `connectionId` reports:
 * KILL QUERY on MariaDB/MySQL, pg_cancel_backend on PostgreSQL (a role may cancel its own sessions).
 */
export function statementKiller(sequelize: Sequelize): (connectionId: number) => Promise<unknown> {
  const id = (n: number) => Math.trunc(n);
  return sequelize.getDialect() === 'postgres'
    ? (pid) => sequelize.query(`SELECT pg_cancel_backend(${id(pid)})`)
    : (threadId) => sequelize.query(`KILL QUERY ${id(threadId)}`);
}

/** The parts of a mysql2 connection used here. */
interface MysqlConnection {
  threadId: number | null;
  stream: { destroy(error?: Error): void };
  query(sql: string, callback: (error: (Error & { errno?: number }) | null) => void): void;
}

/** The parts of a node-postgres client used here. */
interface PgClient {
  processID: number | null;
  connection: { stream: { destroy(error?: Error): void } };
}

/** A driver connection, whichever the driver: its id on the server, and how to cut it. */
interface DriverHandle {
  id: number | null;
  destroy(error: Error): void;
}

function handleOf(connection: unknown): DriverHandle | undefined {
  if (!connection || typeof connection !== 'object') return undefined;
  if ('processID' in connection) {
    const pg = connection as PgClient;
    return { id: pg.processID, destroy: (error) => pg.connection.stream.destroy(error) };
  }
  if ('threadId' in connection) {
    const my = connection as MysqlConnection;
    return { id: my.threadId, destroy: (error) => my.stream.destroy(error) };
  }
  return undefined;
}

const ER_UNKNOWN_SYSTEM_VARIABLE = 1193;

/**
 * The server stops any statement of ours that runs too long: MariaDB's max_statement_time (seconds,
 * every statement), or MySQL's max_execution_time (milliseconds, SELECT only) where the former is unknown.
 */
async function limitStatements(connection: MysqlConnection, ms: number): Promise<void> {
  const run = (sql: string) => new Promise<void>((resolve, reject) => connection.query(sql, (error) => (error ? reject(error) : resolve())));
  try {
    await run(`SET SESSION max_statement_time = ${(ms / 1000).toFixed(3)}`);
  } catch (err) {
    if ((err as { errno?: number }).errno !== ER_UNKNOWN_SYSTEM_VARIABLE) throw err;
    await run(`SET SESSION max_execution_time = ${Math.round(ms)}`);
  }
}

/** What the hooks learn about one query, for the retry decision. */
interface QueryProbe {
  /** The connection had served a query before this one: it sat in the pool, where it may have been cut. */
  reused: boolean;
  done?: () => void;
}

type QueryFn = (sql: unknown, options?: QueryOptions & { transaction?: Transaction | null }) => Promise<unknown>;

/**
 * Bounds every query on the client side as well (a stalled network never answers, whatever the
 * server's limit), stops the statements of abandoned requests, and retries a read once when its pooled
 * connection was found cut.
 */
function guardQueries(sequelize: Sequelize, limits: PoolLimits, options: SequelizeOptions): void {
  const served = new WeakSet<object>();
  const deadlineMs = limits.statementTimeoutMs + STALL_GRACE_MS;

  sequelize.addHook('beforeQuery', (queryOptions, query) => {
    const probe = (queryOptions as { aqProbe?: QueryProbe }).aqProbe;
    const connection = (query as unknown as { connection: unknown }).connection;
    const handle = handleOf(connection);
    if (!probe || !connection || !handle) return;
    probe.reused = served.has(connection);
    served.add(connection);
    const timer = setTimeout(() => {
      // Destroying the socket fails the pending command with this error; the driver marks the connection
      // broken, so the pool drops it instead of handing out a connection that may answer late.
      const stalled = Object.assign(new Error(`the database did not answer within ${deadlineMs} ms`), { code: 'PROTOCOL_SEQUENCE_TIMEOUT', fatal: true });
      handle.destroy(stalled);
    }, deadlineMs);
    const signal = abandonment.getStore();
    const kill = () => {
      if (handle.id === null || !options.killQuery) return;
      // Outside the abandoned request's scope: that scope refuses new statements, the KILL among them.
      const id = handle.id;
      abandonment.exit(() => void options.killQuery?.(id).catch(() => undefined));
    };
    signal?.addEventListener('abort', kill, { once: true });
    probe.done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
    };
  });
  sequelize.addHook('afterQuery', (queryOptions) => (queryOptions as { aqProbe?: QueryProbe }).aqProbe?.done?.());

  const original = sequelize.query.bind(sequelize) as unknown as QueryFn;
  const guarded: QueryFn = async (sql, queryOptions) => {
    if (abandonment.getStore()?.aborted) throw new AppError(503, 'busy', 'the client went away; the request was stopped');
    const probe: QueryProbe = { reused: false };
    try {
      return await original(sql, { ...queryOptions, aqProbe: probe } as QueryOptions);
    } catch (err) {
      const retry = options.retryCutReads && probe.reused && !queryOptions?.transaction && isRead(sql, queryOptions) && isCutConnection(err);
      if (!retry) throw err;
      return original(sql, { ...queryOptions, aqProbe: { reused: false } } as QueryOptions);
    }
  };
  Object.assign(sequelize, { query: guarded });
}

function isRead(sql: unknown, options: QueryOptions | undefined): boolean {
  if (options?.type === QueryTypes.SELECT) return true;
  const inner = (sql as { query?: unknown } | null)?.query;
  const text = typeof sql === 'string' ? sql : typeof inner === 'string' ? inner : '';
  return /^\s*SELECT\b/i.test(text) && !/\bFOR\s+UPDATE\b/i.test(text);
}

/** The driver error under a Sequelize error. */
function driverError(err: unknown): { code?: string; errno?: number; message?: string } {
  const e = err as { parent?: unknown; original?: unknown };
  return ((e?.parent ?? e?.original ?? err) as { code?: string; errno?: number; message?: string }) ?? {};
}

const CUT_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE']);

/** The connection broke under the query (as opposed to the query failing, or the server not answering). */
function isCutConnection(err: unknown): boolean {
  const { code, message } = driverError(err);
  // mysql2: "closed state"; node-postgres: "Connection terminated unexpectedly", or a client that already broke.
  return (code !== undefined && CUT_CODES.has(code)) || /closed state|Connection terminated|not queryable/.test(message ?? '');
}

// MariaDB/MySQL errors (by errno) that say "not now" rather than "never": the statement ran out of time, was
// killed, waited too long for a lock, or the server is going away or full.
const TRANSIENT_ERRNOS = new Set([1969, 3024, 1317, 1205, 1213, 1040, 1053, 1927, 2013, 4031]);
// PostgreSQL's SQLSTATEs of the same kinds: statement timeout or cancel (57014), deadlock (40P01),
// serialization failure (40001), lock not available (55P03), too many connections (53300), the server
// shutting down or starting (57P01-57P03), and a broken connection (08xxx).
const PG_TRANSIENT_STATES = new Set(['57014', '40P01', '40001', '55P03', '53300', '53400', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
const TRANSIENT_CODES = new Set([
  ...CUT_CODES,
  ...PG_TRANSIENT_STATES,
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
]);

/**
 * A database failure that passes: the pool had no free connection, the connection was cut or stalled,
 * a statement ran out of time. Returns what to tell the client, or undefined for any other error.
 */
export function transientDbFault(err: unknown): { message: string; retryAfterSeconds: number } | undefined {
  if (err instanceof ConnectionAcquireTimeoutError) return { message: 'the server is busy; try again in a few seconds', retryAfterSeconds: 5 };
  if (err instanceof ConnectionError) return { message: 'the database cannot be reached; try again shortly', retryAfterSeconds: 5 };
  // Only what came from the database: an ECONNREFUSED from another peer is that client's business.
  if (!(err instanceof BaseError)) return undefined;
  const { code, errno } = driverError(err);
  // The demo's SQLite: another writer held the lock past the busy timeout.
  if (code === 'SQLITE_BUSY') return { message: 'the server is busy; try again in a few seconds', retryAfterSeconds: 1 };
  if ((errno !== undefined && TRANSIENT_ERRNOS.has(errno)) || (code !== undefined && TRANSIENT_CODES.has(code)) || isCutConnection(err)) {
    return { message: 'the database did not complete the request in time; try again shortly', retryAfterSeconds: 5 };
  }
  return undefined;
}

/** Names a database URL for reports and logs, without its password. */
export function describeDbUrl(url: string): string {
  if (url.startsWith('sqlite:')) return url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(unparsable database URL)';
  }
}
