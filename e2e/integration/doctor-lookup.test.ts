import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, ROOT, runDoctor, serverEnv, stackEnv } from '../support/stack';

const run = promisify(execFile);

// The doctor's check of amavis's lookup database (AQ_LOOKUP_DB_URL, amavisd's @lookup_sql_dsn), on a
// database of its own next to the stack's storage: first without the lookup tables, then with them but
// only SELECT on them. Each fix the doctor prints is applied as printed, and the check must pass.
const DB = 'amavis_doctor_lookup';
const USER = 'aq_doctor_lookup';
const PASSWORD = 'aq-doctor-lookup-pw';

/** Runs SQL as the database server's superuser (root over MariaDB's socket, postgres on loopback). */
async function asRoot(sql: string, database?: string): Promise<void> {
  if (onPostgres) {
    await run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-d', database ?? 'postgres', '-c', sql], { timeout: 60_000 });
  } else {
    await run('mysql', ['--protocol=socket', '-uroot', ...(database ? [database] : []), '-e', sql], { timeout: 60_000 });
  }
}

/** The lookup tables of amavisd's own schema for this database: the part before the storage tables. */
function lookupSchema(): string {
  const text = readFileSync(path.join(ROOT, 'e2e/stack', onPostgres ? 'amavis-schema-pg.sql' : 'amavis-schema.sql'), 'utf8');
  return text.slice(0, text.indexOf('CREATE TABLE maddr')).replace(/^GRANT .*$/gm, '');
}

/** The fix the doctor printed under the finding that matches `finding`. */
function fixOf(stdout: string, finding: RegExp): string {
  const lines = stdout.split('\n');
  const at = lines.findIndex((line) => finding.test(line));
  expect(at, stdout).toBeGreaterThanOrEqual(0);
  const fix = /^\s+fix: (.*)$/.exec(lines[at + 1] ?? '')?.[1];
  expect(fix, stdout).toBeDefined();
  return fix!;
}

describe(`npm run doctor on a ${onPostgres ? 'PostgreSQL' : 'MariaDB'} lookup database without tables, then without grants`, () => {
  const url = new URL(stackEnv().AQ_DB_URL);
  url.username = USER;
  url.password = PASSWORD;
  url.pathname = `/${DB}`;
  const env = serverEnv({ AQ_LOOKUP_DB_URL: url.toString() });
  const lookupReport = /\[ ok \] amavis lookup database \(sender lists, spam policy\): .*amavis_doctor_lookup /;

  beforeAll(async () => {
    if (onPostgres) {
      await asRoot(`DROP DATABASE IF EXISTS ${DB}`);
      await asRoot(`DROP ROLE IF EXISTS ${USER}`);
      await asRoot(`CREATE ROLE ${USER} LOGIN PASSWORD '${PASSWORD}'`);
      await asRoot(`CREATE DATABASE ${DB}`);
    } else {
      // SELECT on the database: enough to connect to it, and to read the tables once they exist.
      await asRoot(
        `DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'127.0.0.1'; CREATE DATABASE ${DB}; CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT SELECT ON ${DB}.* TO '${USER}'@'127.0.0.1'`,
      );
    }
  });
  afterAll(async () => {
    if (onPostgres) {
      await asRoot(`DROP DATABASE IF EXISTS ${DB}`);
      await asRoot(`DROP ROLE IF EXISTS ${USER}`);
    } else {
      await asRoot(`DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'127.0.0.1'`);
    }
  });

  it('fails on missing lookup tables and says where their schema is', async () => {
    const { code, stdout } = await runDoctor(env);
    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(/\[ ok \] amavis database: /);
    expect(stdout).toMatch(/\[FAIL\] amavis lookup database \(sender lists, spam policy\): /);
    const fix = fixOf(stdout, /\[FAIL\] table\(s\) users, mailaddr, wblist, policy missing/);
    expect(fix).toMatch(onPostgres ? /README\.sql-pg/ : /README\.sql-mysql/);
    expect(fix).toMatch(/@lookup_sql_dsn/);
  });

  it('with the tables but only SELECT, fails with GRANTs that, run as printed, make it pass', async () => {
    await asRoot(lookupSchema(), DB);
    if (onPostgres) await asRoot(`GRANT SELECT ON users, mailaddr, wblist, policy TO ${USER}`, DB);

    const before = await runDoctor(env);
    expect(before.code, before.stdout).toBe(1);
    expect(before.stdout).toMatch(/\[ ok \] tables users, mailaddr, wblist and policy have the columns sender lists and spam policies use/);
    const grant = fixOf(
      before.stdout,
      /\[FAIL\] may not INSERT on users, mailaddr, wblist, policy; UPDATE on users, mailaddr, wblist, policy; DELETE on users, mailaddr, wblist, policy/,
    );
    const statements = grant.match(/GRANT [^;]+;/g) ?? [];
    expect(statements.length, grant).toBeGreaterThan(0);
    await asRoot(statements.join(' '), DB);

    const after = await runDoctor(env);
    expect(after.stdout).toMatch(lookupReport);
    expect(after.stdout).toMatch(/\[ ok \] may select, insert, update and delete on users, mailaddr, wblist and policy/);
    expect(after.code, after.stdout).toBe(0);
  });
});
