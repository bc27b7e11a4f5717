import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { onPostgres, ROOT } from './stack';

const run = promisify(execFile);

// Databases of a test's own beside the stack's (the doctor's tests break them on purpose): made and dropped
// as the database server's superuser, with amavisd's own storage schema for this run's database.

/** Runs SQL as the database server's superuser (root over MariaDB's socket, postgres on loopback). */
export async function asRoot(sql: string, database?: string): Promise<void> {
  if (onPostgres) {
    await run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-d', database ?? 'postgres', '-c', sql], { timeout: 60_000 });
  } else {
    await run('mysql', ['--protocol=socket', '-uroot', ...(database ? [database] : []), '-e', sql], { timeout: 60_000 });
  }
}

/** The storage tables of amavisd's own schema for this database (doctor-lookup.test.ts deals with the lookup tables). */
export function storageSchema(): string {
  const file = path.join(ROOT, 'e2e/stack', onPostgres ? 'amavis-schema-pg.sql' : 'amavis-schema.sql');
  const text = readFileSync(file, 'utf8');
  return text.slice(text.indexOf('CREATE TABLE maddr')).replace(/^GRANT .*$/gm, '');
}

/** Drops a test's own database and its user (role), if they are there. */
export async function dropScratchDb(database: string, user: string): Promise<void> {
  if (onPostgres) {
    await asRoot(`DROP DATABASE IF EXISTS ${database}`);
    await asRoot(`DROP ROLE IF EXISTS ${user}`);
  } else {
    await asRoot(`DROP DATABASE IF EXISTS ${database}; DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
  }
}
