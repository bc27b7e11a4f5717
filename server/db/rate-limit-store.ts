import { createHash } from 'node:crypto';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { QueryTypes, type Transaction } from 'sequelize';
import type { AppModels } from './app-models';

/** Makes one store per limiter; `name` keeps the limiters' counters apart. */
export type RateLimitStoreFactory = (name: string) => Store;

/** How often an instance removes ended windows, at most. */
const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * An express-rate-limit store in our own table (aq_rate_limits in AQ_APP_DB_URL), so that every instance
 * sharing that database counts together: with counters in memory, N instances gave an attacker N times
 * the attempts. A fixed window per key; one upsert counts a hit atomically (the row lock on MySQL/MariaDB and
 * PostgreSQL, the database lock on the demo's SQLite), and the count read back in the same transaction is exact.
 */
export function createDbRateLimitStores(models: AppModels): RateLimitStoreFactory {
  const sequelize = models.RateLimit.sequelize;
  if (!sequelize) throw new Error('the rate-limit model is not defined on a database');
  const db = sequelize;
  const upsert =
    db.getDialect() === 'mysql'
      ? // MySQL evaluates these left to right: hits is set first, and reset_at still reads its old value.
        `INSERT INTO aq_rate_limits (id, hits, reset_at) VALUES (:id, 1, :reset)
  ON DUPLICATE KEY UPDATE hits = IF(reset_at <= :now, 1, hits + 1), reset_at = IF(reset_at <= :now, :reset, reset_at)`
      : // PostgreSQL and SQLite: the existing row is named by table (unqualified, PostgreSQL finds the
        // columns ambiguous with EXCLUDED); both evaluate every SET against the old row.
        `INSERT INTO aq_rate_limits (id, hits, reset_at) VALUES (:id, 1, :reset)
  ON CONFLICT(id) DO UPDATE SET hits = CASE WHEN aq_rate_limits.reset_at <= :now THEN 1 ELSE aq_rate_limits.hits + 1 END,
    reset_at = CASE WHEN aq_rate_limits.reset_at <= :now THEN :reset ELSE aq_rate_limits.reset_at END`;
  let lastSweep = Date.now();

  function sweep(now: number): void {
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    // Best effort, off the request's path: an ended window is ignored by every read anyway.
    db.query('DELETE FROM aq_rate_limits WHERE reset_at < :now', { replacements: { now } }).catch(() => undefined);
  }

  return (name) => {
    let windowMs = 60_000;
    const idOf = (key: string) => createHash('sha256').update(`${name}\n${key}`).digest('hex');
    const read = async (id: string, transaction?: Transaction) => {
      const [row] = await db.query<{ hits: number | string; reset_at: number | string }>('SELECT hits, reset_at FROM aq_rate_limits WHERE id = :id', {
        type: QueryTypes.SELECT,
        replacements: { id },
        ...(transaction ? { transaction } : {}),
      });
      return row ? { totalHits: Number(row.hits), resetTime: new Date(Number(row.reset_at)) } : undefined;
    };
    const store: Store = {
      prefix: `${name}:`,
      localKeys: false,
      init(options: Options) {
        windowMs = options.windowMs;
      },
      async get(key): Promise<ClientRateLimitInfo | undefined> {
        const info = await read(idOf(key));
        return info && info.resetTime.getTime() > Date.now() ? info : undefined;
      },
      async increment(key): Promise<ClientRateLimitInfo> {
        const id = idOf(key);
        const now = Date.now();
        sweep(now);
        const info = await db.transaction(async (transaction) => {
          await db.query(upsert, { replacements: { id, now, reset: now + windowMs }, transaction });
          return read(id, transaction);
        });
        return info ?? { totalHits: 1, resetTime: new Date(now + windowMs) };
      },
      async decrement(key) {
        await db.query('UPDATE aq_rate_limits SET hits = hits - 1 WHERE id = :id AND hits > 0 AND reset_at > :now', {
          replacements: { id: idOf(key), now: Date.now() },
        });
      },
      async resetKey(key) {
        await db.query('DELETE FROM aq_rate_limits WHERE id = :id', { replacements: { id: idOf(key) } });
      },
    };
    return store;
  };
}
