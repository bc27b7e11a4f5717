import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as migrateMain } from '../../server/cli/migrate';
import { asRoot, dropScratchDb, storageSchema } from '../support/scratch-db';
import { startTestServer } from '../support/server';
import { onPostgres, runDoctor, serverEnv, stackEnv } from '../support/stack';

// The doctor on the tables the server adds: the statistics rollup (aq_stats, aq_stats_pending, aq_stats_state,
// which `npm run migrate` installs in the amavis database) and the digests' (aq_digest_*, which a server makes in
// AQ_APP_DB_URL when it starts). On a database of its own (amavisd's storage schema, a user that owns it), so
// that the tables can be dropped: before anything is installed, installed, one of each dropped by hand, and
// after each fix the doctor prints is applied as printed.
const DB = 'amavis_doctor_tables';
const USER = 'aq_doctor_tables';
const PASSWORD = 'aq-doctor-tables-pw';

describe(`npm run doctor on the rollup's and the digests' tables (${onPostgres ? 'PostgreSQL' : 'MariaDB'})`, () => {
  const url = new URL(stackEnv().AQ_DB_URL);
  url.username = USER;
  url.password = PASSWORD;
  url.pathname = `/${DB}`;
  const env = serverEnv({ AQ_DB_URL: url.toString(), AQ_LOOKUP_DB_URL: stackEnv().AQ_LOOKUP_DB_URL ?? stackEnv().AQ_DB_URL });
  const silent = { out: () => undefined, err: () => undefined };

  /** The fix the doctor printed under the finding that matches `finding`. */
  const fixOf = (stdout: string, finding: RegExp) => {
    const lines = stdout.split('\n');
    const at = lines.findIndex((line) => finding.test(line));
    expect(at, stdout).toBeGreaterThanOrEqual(0);
    return /^\s+fix: (.*)$/.exec(lines[at + 1] ?? '')?.[1] ?? '';
  };
  /** What a running server does at its start: it makes the app's and the digests' tables. */
  const startAServer = async () => (await startTestServer({ AQ_DB_URL: url.toString(), AQ_LIST_INDEX_INTERVAL_MS: '0' })).close();

  beforeAll(async () => {
    if (onPostgres) {
      await asRoot(`DROP DATABASE IF EXISTS ${DB}`);
      await asRoot(`DROP ROLE IF EXISTS ${USER}`);
      await asRoot(`CREATE ROLE ${USER} LOGIN PASSWORD '${PASSWORD}'`);
      await asRoot(`CREATE DATABASE ${DB} OWNER ${USER}`);
      await asRoot(storageSchema(), DB);
      await asRoot(
        `GRANT ALL ON ALL TABLES IN SCHEMA public TO ${USER}; GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${USER}; GRANT CREATE ON SCHEMA public TO ${USER}`,
        DB,
      );
    } else {
      await asRoot(
        `DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'127.0.0.1'; CREATE DATABASE ${DB}; CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'`,
      );
      await asRoot(storageSchema(), DB);
      await asRoot(`GRANT ALL ON ${DB}.* TO '${USER}'@'127.0.0.1'`, DB);
    }
  });
  afterAll(() => dropScratchDb(DB, USER));

  it('warns while nothing is installed, passes once it is, fails on a dropped table of each, and its fixes make it pass', async () => {
    const fresh = await runDoctor(env);
    expect(fresh.stdout).toMatch(/\[warn\] the digest tables \(aq_digest_settings, aq_digest_users, aq_digest_log, aq_digest_state\) are not here yet/);
    expect(fixOf(fresh.stdout, /\[warn\] the digest tables/)).toMatch(/start \(or restart\) a server instance/);
    expect(fresh.code, fresh.stdout).toBe(0);

    expect(await migrateMain([], { AQ_DB_URL: url.toString() }, silent)).toBe(0);
    await startAServer();
    const installed = await runDoctor(env);
    expect(installed.stdout).toMatch(/\[ ok \] the statistics rollup has its tables aq_stats, aq_stats_pending, aq_stats_state/);
    expect(installed.stdout).toMatch(/\[ ok \] digest tables: /);
    expect(installed.stdout).toMatch(/\[ ok \] the digest tables aq_digest_settings, aq_digest_users, aq_digest_log, aq_digest_state have their columns/);
    expect(installed.code, installed.stdout).toBe(0);

    // Dropped by hand (the README's "a table dropped by hand"): the indexer and the digests then fail quietly, in the log.
    await asRoot('DROP TABLE aq_stats_pending; DROP TABLE aq_digest_log', DB);
    const broken = await runDoctor(env);
    expect(broken.code, broken.stdout).toBe(1);
    expect(
      fixOf(broken.stdout, /\[FAIL\] the statistics rollup is broken \(table\(s\) aq_stats_pending missing\): new mail, releases and deletes are not counted/),
    ).toMatch(/^run `npm run migrate`/);
    expect(fixOf(broken.stdout, /\[FAIL\] digest table\(s\) aq_digest_log missing: digests fail/)).toMatch(/start \(or restart\) a server instance/);

    // The fixes, as printed: `npm run migrate`, and a server's start.
    expect(await migrateMain([], { AQ_DB_URL: url.toString() }, silent)).toBe(0);
    await startAServer();
    const fixed = await runDoctor(env);
    expect(fixed.stdout).toMatch(/\[ ok \] the statistics rollup has its tables/);
    expect(fixed.stdout).toMatch(/\[ ok \] the digest tables .* have their columns/);
    expect(fixed.code, fixed.stdout).toBe(0);
  }, 300_000);
});
