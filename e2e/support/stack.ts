import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseEnvFile } from '../../server/config';

const run = promisify(execFile);

/** Where e2e/stack/up.sh keeps its state (configs, pids, stack.env, seed.json, seed-pg.json). */
export const STACK_DIR = process.env.AQ_STACK_DIR ?? '/var/tmp/aq-stack';
export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The settings up.sh wrote for the running stack. */
export interface StackEnv {
  AQ_DB_URL: string;
  /** amavisd's lookup database (amavis_lookup, its @lookup_sql_dsn); absent for amavisd-pg, which looks up in its storage database. */
  AQ_LOOKUP_DB_URL?: string;
  AQ_IMAP_HOST: string;
  AQ_IMAP_PORT: string;
  AQ_IMAP_TLS: string;
  AQ_IMAP_TLS_PORT: string;
  AQ_IMAP_CA_FILE: string;
  AQ_PDP: string;
  AQ_PDP_SOCKET: string;
  AQ_SMTP_IN_PORT: string;
  AQ_LMTP_PORT: string;
  AQ_MAILDIR_ROOT: string;
  /** amavisd-pg, the second amavisd, and its PostgreSQL storage database (issue #12). */
  AQ_PG_DB_URL: string;
  AQ_PG_PDP: string;
  AQ_PG_PDP_SOCKET: string;
  AQ_PG_SMTP_IN_PORT: string;
  /** amavisd-isp, the third amavisd: stores in AQ_DB_URL (MariaDB), looks up in ISPConfig's spamfilter tables (issue #14). */
  AQ_ISP_LOOKUP_DB_URL?: string;
  AQ_ISP_SMTP_IN_PORT?: string;
  AQ_ISP_PDP?: string;
  AQ_ISP_PDP_SOCKET?: string;
}

/** The amavis databases the integration tests run against; each has its own amavisd in the stack. */
export type TestDb = 'mariadb' | 'postgres';

/**
 * The database of this run: AQ_TEST_DB=mariadb (the default: amavisd, MariaDB) or postgres (amavisd-pg,
 * PostgreSQL). Every test reaches amavis through the chosen pair only, so one suite proves both.
 */
export const TEST_DB: TestDb = testDbOf(process.env.AQ_TEST_DB);

/** True when this run is against PostgreSQL: for the few dialect switches a test needs. */
export const onPostgres = TEST_DB === 'postgres';

function testDbOf(value: string | undefined): TestDb {
  if (value === undefined || value === '' || value === 'mariadb') return 'mariadb';
  if (value === 'postgres') return 'postgres';
  throw new Error(`AQ_TEST_DB must be mariadb or postgres, not ${JSON.stringify(value)}`);
}

/** The stack's name (for e2e/stack/ctl.sh) of the amavisd that stores in this run's database. */
export const AMAVISD = onPostgres ? 'amavisd-pg' : 'amavisd';

/** The settings exactly as up.sh wrote them, both amavisd instances included. */
export function stackEnvFile(): StackEnv {
  let text: string;
  try {
    text = readFileSync(path.join(STACK_DIR, 'stack.env'), 'utf8');
  } catch {
    throw new Error(`no ${STACK_DIR}/stack.env: start the real stack with \`bash e2e/stack/up.sh\` (npm test does it)`);
  }
  return parseEnvFile(text) as unknown as StackEnv;
}

/**
 * The stack as this run's tests see it: AQ_DB_URL, AQ_LOOKUP_DB_URL, AQ_PDP, AQ_PDP_SOCKET and AQ_SMTP_IN_PORT are
 * those of the amavisd chosen by AQ_TEST_DB (amavisd-pg's AQ_PG_* and no lookup URL under postgres), so that a test which sends mail,
 * reads rows or releases through them needs no switch of its own. Fails with the command to run when the
 * stack is not up, or predates PostgreSQL.
 */
export function stackEnv(): StackEnv {
  const env = stackEnvFile();
  if (!onPostgres) return env;
  if (!env.AQ_PG_DB_URL) throw new Error(`AQ_TEST_DB=postgres, but ${STACK_DIR}/stack.env has no AQ_PG_DB_URL: run \`bash e2e/stack/up.sh\` again`);
  // amavisd-pg's lookups are in its storage database: no AQ_LOOKUP_DB_URL, so it follows AQ_DB_URL.
  const { AQ_LOOKUP_DB_URL: _mariadbLookups, ...pgEnv } = env;
  return { ...pgEnv, AQ_DB_URL: env.AQ_PG_DB_URL, AQ_PDP: env.AQ_PG_PDP, AQ_PDP_SOCKET: env.AQ_PG_PDP_SOCKET, AQ_SMTP_IN_PORT: env.AQ_PG_SMTP_IN_PORT };
}

export interface SeedMail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  expect: 'S' | 'B' | 'V' | 'H' | 'C';
}

/** Reads what seed.sh sent through this run's amavisd in its last run (seed.json, or seed-pg.json for amavisd-pg). */
export function seedManifest(): { runId: string; mails: Record<string, SeedMail> } {
  const file = onPostgres ? 'seed-pg.json' : 'seed.json';
  try {
    return JSON.parse(readFileSync(path.join(STACK_DIR, file), 'utf8')) as { runId: string; mails: Record<string, SeedMail> };
  } catch {
    throw new Error(`no ${STACK_DIR}/${file}: run \`bash e2e/stack/seed.sh\` (npm test does it)`);
  }
}

/** The AQ_* environment a server under test gets: the real stack (this run's database and amavisd), plus test-only secrets. */
export function serverEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const env = stackEnv();
  const base: Record<string, string> = {
    AQ_DB_URL: env.AQ_DB_URL,
    AQ_IMAP_HOST: env.AQ_IMAP_HOST,
    AQ_IMAP_PORT: env.AQ_IMAP_PORT,
    AQ_IMAP_TLS: env.AQ_IMAP_TLS,
    AQ_IMAP_CA_FILE: env.AQ_IMAP_CA_FILE,
    AQ_PDP: env.AQ_PDP,
    // Where this run's amavisd looks up sender lists and policies; without it (amavisd-pg) they follow AQ_DB_URL.
    ...(env.AQ_LOOKUP_DB_URL ? { AQ_LOOKUP_DB_URL: env.AQ_LOOKUP_DB_URL } : {}),
    AQ_SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
  };
  return { ...base, ...overrides };
}

/**
 * Stops or starts one peer of the stack, waiting until it is really down or up. `amavisd` is this run's
 * amavisd: amavisd-pg under AQ_TEST_DB=postgres.
 */
export async function stackCtl(action: 'stop' | 'start', component: 'amavisd' | 'dovecot'): Promise<void> {
  await run('bash', [path.join(ROOT, 'e2e/stack/ctl.sh'), action, component === 'amavisd' ? AMAVISD : component], { timeout: 60_000 });
}

/** Runs `npm run doctor` as a separate process, the way an operator does, with the given AQ_* settings. */
export async function runDoctor(
  env: Record<string, string>,
  options: { asUser?: string; args?: string[] } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AQ_')));
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  const doctor = path.join(ROOT, 'server/cli/doctor.ts');
  const [cmd, args] = options.asUser
    ? ['runuser', ['-u', options.asUser, '--', process.execPath, path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), doctor, ...(options.args ?? [])]]
    : [tsx, [doctor, ...(options.args ?? [])]];
  try {
    const { stdout, stderr } = await run(cmd, args, {
      env: { ...clean, ...env, ...(options.asUser ? { HOME: '/tmp', TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json') } : {}) },
      cwd: ROOT,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
