import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, STACK_DIR, stackEnvFile } from './stack';

const run = promisify(execFile);

/** The message counts of a Bayes store. */
export interface BayesCounts {
  nspam: number;
  nham: number;
}

// A store named by --dbpath needs nothing of SpamAssassin's configuration but the Bayes plugin: with no config
// dirs sa-learn skips parsing Debian's rules, a fifth of the CPU per read (tests read several stores at a time).
const BAYES_ONLY = ['--configpath', '/nonexistent', '--siteconfigpath', '/nonexistent', '--cf', 'loadplugin Mail::SpamAssassin::Plugin::Bayes'];

/**
 * nspam and nham of a Bayes store, from `sa-learn --dump magic` run as amavis. Without `dbpath`, of the store
 * amavisd reads: no --dbpath on purpose, as amavis, with no bayes_path in /etc/spamassassin, sa-learn finds the
 * store exactly as amavisd's SpamAssassin does (~amavis/.spamassassin/bayes), so a count that moves here moved
 * for amavisd too. With `dbpath` (sa-learn's: the path without `_toks`), of that store, e.g. userBayesPath()'s.
 */
export async function bayesCounts(dbpath?: string): Promise<BayesCounts> {
  // spamd-users makes a user's store on its first TELL: until then nothing was learned for that user (and sa-learn would fail).
  if (dbpath !== undefined && !existsSync(`${dbpath}_toks`)) return { nspam: 0, nham: 0 };
  const args = ['-u', 'amavis', '--', 'sa-learn', '--dump', 'magic', ...(dbpath === undefined ? [] : ['--dbpath', dbpath, ...BAYES_ONLY])];
  // cwd /: runuser keeps the caller's cwd, which amavis may not read.
  const { stdout } = await run('runuser', args, { cwd: '/', timeout: 30_000 });
  return { nspam: magic(stdout, 'nspam'), nham: magic(stdout, 'nham') };
}

// Lines look like "0.000          0          3          0  non-token data: nspam": the count is the third column.
function magic(dump: string, name: string): number {
  const line = dump.split('\n').find((l) => l.endsWith(`non-token data: ${name}`));
  const value = Number(line?.trim().split(/\s+/)[2]);
  if (!line || !Number.isInteger(value)) throw new Error(`sa-learn --dump magic printed no ${name}:\n${dump}`);
  return value;
}

const stackValues = () => stackEnvFile() as unknown as Record<string, string | undefined>;

/** Where the stack's spamd (TELL allowed) listens, from stack.env. */
export function spamdAddress(): { host: string; port: number } {
  const env = stackValues();
  if (!env.AQ_SPAMD_PORT) throw new Error(`${STACK_DIR}/stack.env has no AQ_SPAMD_PORT: run \`bash e2e/stack/up.sh\` again`);
  return { host: env.AQ_SPAMD_HOST ?? '127.0.0.1', port: Number(env.AQ_SPAMD_PORT) };
}

/** Where the stack's spamd-users listens: a spamd with --virtual-config-dir, one Bayes store per TELL `User:`. */
export function userSpamdAddress(): { host: string; port: number } {
  const env = stackValues();
  if (!env.AQ_SPAMD_USERS_PORT) throw new Error(`${STACK_DIR}/stack.env has no AQ_SPAMD_USERS_PORT: run \`bash e2e/stack/up.sh\` again`);
  return { host: env.AQ_SPAMD_HOST ?? '127.0.0.1', port: Number(env.AQ_SPAMD_USERS_PORT) };
}

/** The --dbpath of the store spamd-users keeps for one `User:` (an address, or a domain): <dir>/<user>/bayes. */
export function userBayesPath(user: string): string {
  const dir = stackValues().AQ_SPAMD_USERS_DIR;
  if (!dir) throw new Error(`${STACK_DIR}/stack.env has no AQ_SPAMD_USERS_DIR: run \`bash e2e/stack/up.sh\` again`);
  // spamd's own escaping of the name (handle_virtual_config_dir); the test users' names pass unchanged.
  return path.join(dir, user.replace(/[^-A-Za-z0-9+_.,@=]/g, '_'), 'bayes');
}

/** Stops or starts the stack's spamd with e2e/stack/ctl.sh, waiting until it really refuses or answers. */
export async function spamdCtl(action: 'stop' | 'start'): Promise<void> {
  await run('bash', [path.join(ROOT, 'e2e/stack/ctl.sh'), action, 'spamd'], { timeout: 60_000 });
}
