import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { createContext } from '../../server/context';
import { createLogger } from '../../server/logger';
import { onPostgres, serverEnv, stackEnv } from '../support/stack';

const run = promisify(execFile);

// Our own tables (sessions, audit log, requests, release attempts, rate limits, digests) in a database of their
// own (AQ_APP_DB_URL) on this run's server, MariaDB or PostgreSQL: created by the first start, and by
// several instances starting at once on a new database, as a rolling deployment does.
const DB = 'amavis_app_tables_check';

async function recreateDatabase(drop = false): Promise<void> {
  if (onPostgres) {
    const psql = (sql: string) => run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { timeout: 60_000 });
    await psql(`DROP DATABASE IF EXISTS ${DB}`);
    if (!drop) await psql(`CREATE DATABASE ${DB} OWNER amavis`);
  } else {
    // The stack's amavis user has every privilege on amavis% databases.
    await run('mysql', ['--protocol=socket', '-uroot', '-e', `DROP DATABASE IF EXISTS ${DB};${drop ? '' : ` CREATE DATABASE ${DB};`}`], { timeout: 60_000 });
  }
}

describe(`our own tables on ${onPostgres ? 'PostgreSQL' : 'MariaDB'}`, () => {
  const url = new URL(stackEnv().AQ_DB_URL);
  url.pathname = `/${DB}`;
  const env = serverEnv({ AQ_APP_DB_URL: url.toString() });

  beforeEach(() => recreateDatabase());
  afterAll(() => recreateDatabase(true));

  it('are created by four instances starting at once on a new database, then used by each of them', async () => {
    const contexts = Array.from({ length: 4 }, () => createContext(loadConfig(env), createLogger('silent')));
    try {
      const started = await Promise.allSettled(contexts.map((c) => c.ready()));
      expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
      const tables = await contexts[0]!.appSequelize.getQueryInterface().showAllTables();
      expect(
        tables
          .map(String)
          .filter((t) => t.startsWith('aq_'))
          .sort(),
      ).toEqual([
        'aq_audit',
        'aq_digest_log',
        'aq_digest_settings',
        'aq_digest_state',
        'aq_digest_users',
        'aq_rate_limits',
        'aq_release_intents',
        'aq_release_requests',
        'aq_sessions',
      ]);
      // Every instance writes and reads them: an audit entry each, and one shared rate-limit counter.
      for (const [i, context] of contexts.entries()) {
        await context.auditLog.record({
          actor: `instance-${i}@example.test`,
          action: 'view',
          ref: { partitionTag: 0, mailId: 'AppTables001', rseqnum: 1 },
          result: 'ok',
        });
      }
      const [row] = await contexts[3]!.appSequelize.query<{ n: string | number }>("SELECT COUNT(*) AS n FROM aq_audit WHERE mail_id = 'AppTables001'", {
        type: QueryTypes.SELECT,
      });
      expect(Number(row?.n)).toBe(4);
      const stores = contexts.map((c) => c.rateLimitStores('app-tables'));
      for (const store of stores) await store.init?.({ windowMs: 60_000 } as never);
      const hits = [];
      for (const store of stores) hits.push((await store.increment('203.0.113.9')).totalHits);
      expect(hits).toEqual([1, 2, 3, 4]);
    } finally {
      await Promise.all(contexts.map((c) => c.close()));
    }
  });
});
