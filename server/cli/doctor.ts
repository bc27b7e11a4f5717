import type { HealthCheckReport, HealthFinding } from '../../shared/health';
import { consoleOutput, loadCliConfig, runAsEntryPoint, withCliContext, type CliOutput } from './bootstrap';

/**
 * `npm run doctor`: checks that amavis-quarantine can reach and understand this amavis setup, with the
 * full detail and a fix for every problem. Exit codes: 0 all checks pass (warnings allowed),
 * 1 a check failed, 2 the configuration itself is invalid.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, output: CliOutput = consoleOutput): Promise<number> {
  const json = argv.includes('--json');
  const config = loadCliConfig(env, output, json);
  if (!config) return 2;
  return withCliContext(config, 'silent', async (context) => {
    const reports = await context.health.runChecks();
    const failed = reports.some((r) => r.status === 'fail');
    output.out(json ? JSON.stringify({ ok: !failed, reports }, null, 2) : formatReports(reports));
    return failed ? 1 : 0;
  });
}

const MARK: Record<HealthFinding['status'], string> = { ok: '[ ok ]', warn: '[warn]', fail: '[FAIL]' };

/** Renders the reports for a terminal: one block a peer, the fix under each problem. */
export function formatReports(reports: HealthCheckReport[]): string {
  const lines = ['amavis-quarantine doctor', ''];
  for (const report of reports) {
    lines.push(`${MARK[report.status]} ${report.title}: ${report.target} (${report.durationMs} ms)`);
    for (const finding of report.findings) {
      lines.push(`    ${MARK[finding.status]} ${finding.message}`);
      if (finding.hint && finding.status !== 'ok') lines.push(`           fix: ${finding.hint}`);
    }
    lines.push('');
  }
  const count = (s: HealthFinding['status']) => reports.filter((r) => r.status === s).length;
  lines.push(`${count('ok')} ok, ${count('warn')} with warnings, ${count('fail')} failed`);
  return lines.join('\n');
}

runAsEntryPoint(import.meta.url, 'doctor', main);
