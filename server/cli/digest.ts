import { ListIndexMissing } from '../amavis/list-indexer';
import type { AppContext } from '../context';
import { ensureDigestTables } from '../db/digest-models';
import type { DigestRunReport } from '../digest/digest-run';
import { consoleOutput, loadCliConfig, runAsEntryPoint, usageError, withCliContext, type CliOutput } from './bootstrap';

const USAGE = 'usage: npm run digest -- [--user <address> --now] [--now-at <ISO time>] [--json]';

interface Args {
  user: string | undefined;
  now: boolean;
  nowAt: Date | undefined;
  json: boolean;
}

/** One user's digest waits this long for another instance's run to finish; a due run does not wait. */
const USER_WAIT_MS = 60_000;

/**
 * `npm run digest`: sends the digests that are due (for cron), or `--user <address> --now` one user's at
 * once whatever the frequency. Exit codes: 0 done (sent, or nothing due, or another instance is sending
 * the due ones), 1 a digest failed or its delivery is unknown (see the log), or the database failed,
 * 2 the configuration or the command line is invalid, 3 `--user`: another instance kept the lock.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, output: CliOutput = consoleOutput): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') return usageError(output, 'digest', args, USAGE);
  const config = loadCliConfig(env, output, args.json);
  if (!config) return 2;
  if (!config.mail.url) {
    output.err('amavis-quarantine digest: AQ_SMTP_URL is not set, so there is nowhere to send digests (README.md, "Digests")');
    return 2;
  }
  return withCliContext(config, config.logLevel === 'info' ? 'warn' : config.logLevel, (context) => send(context, args, output));
}

/** The run itself, once the configuration is good: returns main()'s exit code. */
async function send(context: AppContext, args: Args, output: CliOutput): Promise<number> {
  try {
    await ensureDigestTables(context.digestModels);
    const now = args.nowAt ?? new Date();
    let report: DigestRunReport | null;
    if (args.user) {
      const deadline = Date.now() + USER_WAIT_MS;
      for (;;) {
        report = await context.digest.runUser(args.user, args.nowAt ?? new Date());
        if (report || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      if (!report) {
        output.err(`amavis-quarantine digest: another instance kept sending for ${USER_WAIT_MS / 1000} s; try again`);
        return 3;
      }
    } else {
      report = await context.digest.runDue(now);
      if (!report) {
        output.out(args.json ? JSON.stringify({ ok: true, busy: true }) : 'another instance is sending the digests now; nothing to do');
        return 0;
      }
    }
    output.out(args.json ? JSON.stringify({ ok: true, ...report }, null, 2) : formatDigestReport(report, args.user));
    return report.failed.length > 0 || report.unknown.length > 0 ? 1 : 0;
  } catch (err) {
    const message = err instanceof ListIndexMissing ? `${err.message} (digests read the list index)` : err instanceof Error ? err.message : String(err);
    output.err(`amavis-quarantine digest failed: ${message}`);
    return 1;
  }
}

/** Reads the command line; a string is the problem with it. */
export function parseArgs(argv: string[]): Args | string {
  const args: Args = { user: undefined, now: false, nowAt: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--now') args.now = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--user') {
      const value = (argv[++i] ?? '').trim().toLowerCase();
      if (!/^[^\s@]+@[^\s@]+$/.test(value)) return `--user needs an e-mail address, got "${value}"`;
      args.user = value;
    } else if (arg === '--now-at') {
      const value = argv[++i] ?? '';
      const at = new Date(value);
      if (!value || Number.isNaN(at.getTime())) return `--now-at needs a time like 2026-12-01T08:00:00Z, got "${value}"`;
      args.nowAt = at;
    } else return `unknown argument "${arg}"`;
  }
  if (args.user && !args.now) return '--user sends at once, whatever the frequency: add --now';
  if (args.now && !args.user) return '--now needs --user <address> (without them, the digests that are due are sent)';
  return args;
}

/** Renders a report for a terminal or a cron log. */
export function formatDigestReport(report: DigestRunReport, user?: string): string {
  const lines: string[] = [];
  if (report.abandoned) lines.push(`${report.abandoned} digest(s) left unconfirmed by a stopped run: not sent again; their messages are listed in the next digest`);
  if (report.sent.length) lines.push(`sent: ${report.sent.join(', ')}`);
  const refused = new Set(report.refused.map((r) => r.address));
  const failed = report.failed.filter((a) => !refused.has(a));
  if (failed.length) lines.push(`failed (not delivered; tried again): ${failed.join(', ')}`);
  for (const r of report.refused) lines.push(`refused (${r.refusals} in a row; not tried again before ${r.nextTryAt}): ${r.address}: ${r.reply}`);
  if (report.waiting.length) lines.push(`waiting after refusals: ${report.waiting.map((r) => `${r.address} (${r.refusals} in a row, until ${r.nextTryAt})`).join(', ')}`);
  if (report.unknown.length) lines.push(`sent, no answer (not sent again; listed in the next digest): ${report.unknown.join(', ')}`);
  if (user && !report.sent.length && !report.failed.length && !report.unknown.length) lines.push(`nothing new for ${user}: no digest sent`);
  if (!user) lines.push(`${report.notDue} not due yet, ${report.off} off, ${report.empty.length} with nothing left to list`);
  return lines.join('\n');
}

runAsEntryPoint(import.meta.url, 'digest', main);
