import { createCleanupStore } from '../amavis/cleanup-sql';
import { createCleanup, DEFAULT_BATCH_SIZE, type CleanupReport, type MessageCounts } from '../services/cleanup';
import { consoleOutput, loadCliConfig, runAsEntryPoint, usageError, withCliContext, type CliOutput } from './bootstrap';

const USAGE = 'usage: npm run cleanup -- [--dry-run] [--batch-size N] [--json]';

/**
 * `npm run cleanup`: the retention cleanup, for cron. Returns the exit code: 0 done, 1 the database
 * failed (what was deleted before stays deleted: every batch is its own transaction, and a rerun
 * carries on), 2 the configuration or the command line is invalid.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, output: CliOutput = consoleOutput): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') return usageError(output, 'cleanup', args, USAGE);
  const config = loadCliConfig(env, output, args.json);
  if (!config) return 2;
  return withCliContext(config, 'silent', async (context) => {
    try {
      const cleanup = createCleanup(
        { store: createCleanupStore(context.sequelize), auditLog: context.auditLog },
        { retentionDays: config.retentionDays, auditRetentionDays: config.auditRetentionDays },
      );
      const report = await cleanup.run({ dryRun: args.dryRun, batchSize: args.batchSize });
      output.out(args.json ? JSON.stringify({ ok: true, ...report }, null, 2) : formatCleanupReport(report));
      return 0;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (args.json) output.out(JSON.stringify({ ok: false, error: message }, null, 2));
      output.err(`amavis-quarantine cleanup failed: ${message}\nBatches finished before the failure stay done; run it again to carry on.`);
      return 1;
    }
  });
}

/** Reads the command line; a string is the problem with it. */
export function parseArgs(argv: string[]): { dryRun: boolean; json: boolean; batchSize: number } | string {
  const args = { dryRun: false, json: false, batchSize: DEFAULT_BATCH_SIZE };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const inline = /^--batch-size=(.*)$/.exec(arg);
    if (arg === '--dry-run') args.dryRun = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--batch-size' || inline) {
      const value = inline ? inline[1] : argv[++i];
      if (!value || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000)
        return `--batch-size must be a whole number from 1 to 100000, got "${value ?? ''}"`;
      args.batchSize = Number(value);
    } else return `unknown argument "${arg}"`;
  }
  return args;
}

const n = (count: number) => count.toLocaleString('en-US');
const sample = (ids: string[]) => (ids.length > 0 ? `  e.g. ${ids.join(', ')}` : '');
const whole = (c: MessageCounts) => `${n(c.messages)} messages (${n(c.recipientRows)} msgrcpt, ${n(c.quarantineRows)} quarantine rows)${sample(c.sample)}`;

/** Renders a report for a terminal or a cron log. */
export function formatCleanupReport(r: CleanupReport): string {
  const verb = r.dryRun ? 'would delete' : 'deleted';
  const restored = r.addresses.restored > 0 ? `, ${n(r.addresses.restored)} put back because amavisd was using them` : '';
  const horizon = r.addresses.horizonId === null ? ' (none checked: no message is older than an hour yet)' : ` (ids up to ${r.addresses.horizonId})`;
  const lines = [
    `amavis-quarantine cleanup${r.dryRun ? ' (dry run: nothing was deleted)' : ''}`,
    '',
    `  messages older than ${r.retentionDays} days (received before ${r.messagesBefore}): ${verb} ${whole(r.expired)}`,
    `  messages every recipient deleted: ${verb} ${whole(r.allDeleted)}`,
    `  msgrcpt rows without their message: ${verb} ${n(r.orphanRecipients.rows)} rows of ${n(r.orphanRecipients.messages)} messages${sample(r.orphanRecipients.sample)}`,
    `  quarantine rows without their message: ${verb} ${n(r.orphanQuarantine.rows)} rows of ${n(r.orphanQuarantine.messages)} messages${sample(r.orphanQuarantine.sample)}`,
    `  maddr addresses no message uses${horizon}: ${verb} ${n(r.addresses.rows)}${restored}${sample(r.addresses.sample)}`,
    `  audit entries older than ${r.auditRetentionDays} days: ${verb} ${n(r.audit.rows)}`,
    `  statistics rows of days before ${r.statsBefore}: ${verb} ${n(r.stats.rows)} (of ${n(r.stats.scopes)} recipients, domains and the site)`,
  ];
  if (r.dryRun) lines.push('', '  (addresses used only by the messages above are not counted: the real run deletes them too)');
  for (const warning of r.warnings) lines.push(`  warning: ${warning}`);
  lines.push('', `done in ${(r.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

runAsEntryPoint(import.meta.url, 'cleanup', main);
