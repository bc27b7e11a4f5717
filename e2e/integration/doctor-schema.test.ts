import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRoot, dropScratchDb, storageSchema } from '../support/scratch-db';
import { onPostgres, runDoctor, serverEnv, stackEnv } from '../support/stack';

// The doctor's database findings on a real amavis schema with the classic mistakes of an operator's
// setup: (PostgreSQL) address columns from a pre-2.7 schema still text, a missing index, and a user
// without UPDATE on msgrcpt. Each fix the doctor prints is then applied as printed, as root or the
// tables' owner, and the doctor must pass. A database of its own, so the stack's stays untouched.
const DB = 'amavis_doctor_check';
const USER = 'aq_doctor_check';
const PASSWORD = 'aq-doctor-check-pw';

describe(`npm run doctor on a ${onPostgres ? 'PostgreSQL' : 'MariaDB'} amavis schema with an operator's mistakes`, () => {
  const url = new URL(stackEnv().AQ_DB_URL);
  url.username = USER;
  url.password = PASSWORD;
  url.pathname = `/${DB}`;
  // Lookups stay in the stack's lookup database (its storage one on PostgreSQL): doctor-lookup.test.ts checks those.
  const env = serverEnv({ AQ_DB_URL: url.toString(), AQ_LOOKUP_DB_URL: stackEnv().AQ_LOOKUP_DB_URL ?? stackEnv().AQ_DB_URL });

  beforeAll(async () => {
    if (onPostgres) {
      await asRoot(`DROP DATABASE IF EXISTS ${DB}`);
      await asRoot(`DROP ROLE IF EXISTS ${USER}`);
      await asRoot(`CREATE ROLE ${USER} LOGIN PASSWORD '${PASSWORD}'`);
      await asRoot(`CREATE DATABASE ${DB}`);
      await asRoot(storageSchema(), DB);
      // A schema from before amavisd-new 2.6: addresses as text. And the index on msgrcpt.rid lost.
      await asRoot(`ALTER TABLE maddr ALTER email TYPE varchar(255) USING encode(email, 'escape'); DROP INDEX msgrcpt_idx_rid;`, DB);
      await asRoot(`GRANT SELECT ON maddr, msgs, msgrcpt, quarantine TO ${USER}`, DB);
    } else {
      await asRoot(
        `DROP DATABASE IF EXISTS ${DB}; DROP USER IF EXISTS '${USER}'@'127.0.0.1'; CREATE DATABASE ${DB}; CREATE USER '${USER}'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'`,
      );
      await asRoot(storageSchema(), DB);
      await asRoot(`DROP INDEX msgrcpt_idx_rid ON msgrcpt; GRANT SELECT ON ${DB}.* TO '${USER}'@'127.0.0.1'`, DB);
    }
  });
  afterAll(() => dropScratchDb(DB, USER));

  /** The fix the doctor printed under the finding that matches `finding`. */
  const fixOf = (stdout: string, finding: RegExp) => {
    const lines = stdout.split('\n');
    const at = lines.findIndex((line) => finding.test(line));
    expect(at, stdout).toBeGreaterThanOrEqual(0);
    const fix = /^\s+fix: (.*)$/.exec(lines[at + 1] ?? '')?.[1];
    expect(fix, stdout).toBeDefined();
    return fix!;
  };

  it.runIf(onPostgres)('fails on address columns that are text, and its ALTER TABLE fixes them', async () => {
    const { code, stdout } = await runDoctor(env);
    expect(code, stdout).toBe(1);
    const fix = fixOf(stdout, /\[FAIL\] table maddr: column\(s\) email are character varying\(255\), not bytea/);
    expect(fix).toMatch(/README\.sql-pg/);
    expect(fix).toMatch(/\$sql_allow_8bit_address = 1/);
    const statements = fix.match(/ALTER TABLE [^;]+;/g) ?? [];
    expect(statements).toEqual(["ALTER TABLE maddr ALTER email TYPE bytea USING decode(email, 'escape');"]);
    await asRoot(statements.join(' '), DB);
  });

  it('warns of a missing index and fails without UPDATE on msgrcpt, and its fixes make it pass', async () => {
    const before = await runDoctor(env);
    expect(before.code, before.stdout).toBe(1);
    expect(before.stdout).toMatch(/\[ ok \] tables maddr, msgs, msgrcpt and quarantine have the key columns/);
    const index = fixOf(before.stdout, /\[warn\] no index on msgrcpt \(rid\): it finds a user.s recipient rows without scanning msgrcpt/);
    expect(index).toBe('CREATE INDEX msgrcpt_idx_rid ON msgrcpt (rid);');
    const grant = fixOf(before.stdout, /\[FAIL\] may not update msgrcpt: .*(permission denied|UPDATE command denied)/);
    // Only the statements, without the words around them; on MariaDB they are run as root, on
    // PostgreSQL as the superuser, in the database the doctor looked at.
    const statements = grant.match(/GRANT [^;]+;/g) ?? [];
    expect(statements.length, grant).toBeGreaterThan(0);
    await asRoot([index, ...statements].join(' '), DB);

    const after = await runDoctor(env);
    expect(after.stdout).toMatch(/\[ ok \] index on msgrcpt \(rid\) exists/);
    expect(after.stdout).toMatch(/\[ ok \] may update msgrcpt/);
    expect(after.stdout).toMatch(/\[warn\] amavisd has stored no mail in this database yet/);
    expect(after.code, after.stdout).toBe(0);
  });
});
