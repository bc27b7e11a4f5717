import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, STACK_DIR, stackEnvFile } from './stack';

const run = promisify(execFile);

/** The message counts of a Bayes store. */
export interface BayesCounts {
  nspam: number;
  nham: number;
}

/**
 * nspam and nham of the Bayes store amavisd reads, from `sa-learn --dump magic` run as amavis. No --dbpath on
 * purpose: as amavis, with no bayes_path in /etc/spamassassin, sa-learn finds the store exactly as amavisd's
 * SpamAssassin does (~amavis/.spamassassin/bayes), so a count that moves here moved for amavisd too.
 */
export async function bayesCounts(): Promise<BayesCounts> {
  // cwd /: runuser keeps the caller's cwd, which amavis may not read.
  const { stdout } = await run('runuser', ['-u', 'amavis', '--', 'sa-learn', '--dump', 'magic'], { cwd: '/', timeout: 30_000 });
  return { nspam: magic(stdout, 'nspam'), nham: magic(stdout, 'nham') };
}

// Lines look like "0.000          0          3          0  non-token data: nspam": the count is the third column.
function magic(dump: string, name: string): number {
  const line = dump.split('\n').find((l) => l.endsWith(`non-token data: ${name}`));
  const value = Number(line?.trim().split(/\s+/)[2]);
  if (!line || !Number.isInteger(value)) throw new Error(`sa-learn --dump magic printed no ${name}:\n${dump}`);
  return value;
}

/** Where the stack's spamd (TELL allowed) listens, from stack.env. */
export function spamdAddress(): { host: string; port: number } {
  const env = stackEnvFile() as unknown as Record<string, string | undefined>;
  if (!env.AQ_SPAMD_PORT) throw new Error(`${STACK_DIR}/stack.env has no AQ_SPAMD_PORT: run \`bash e2e/stack/up.sh\` again`);
  return { host: env.AQ_SPAMD_HOST ?? '127.0.0.1', port: Number(env.AQ_SPAMD_PORT) };
}

/** Stops or starts the stack's spamd with e2e/stack/ctl.sh, waiting until it really refuses or answers. */
export async function spamdCtl(action: 'stop' | 'start'): Promise<void> {
  await run('bash', [path.join(ROOT, 'e2e/stack/ctl.sh'), action, 'spamd'], { timeout: 60_000 });
}
