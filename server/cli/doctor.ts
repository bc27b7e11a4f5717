import type { HealthCheckReport, HealthFinding } from '../../shared/health';
import { ConfigError, loadConfig } from '../config';
import { createContext } from '../context';
import { createLogger } from '../logger';

/**
 * `npm run doctor`: checks that amavis-quarantine can reach and understand this amavis setup, with the
 * full detail and a fix for every problem. Exit codes: 0 all checks pass (warnings allowed),
 * 1 a check failed, 2 the configuration itself is invalid.
 */
async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (json) console.log(JSON.stringify({ ok: false, configProblems: err.problems }, null, 2));
    else console.error(`${err.message}\n\nFix the configuration first (README.md, "Configuration").`);
    return 2;
  }
  const context = createContext(config, createLogger('silent'));
  try {
    const reports = await context.health.runChecks();
    const failed = reports.some((r) => r.status === 'fail');
    if (json) console.log(JSON.stringify({ ok: !failed, reports }, null, 2));
    else console.log(formatReports(reports));
    return failed ? 1 : 0;
  } finally {
    await context.close();
  }
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('amavis-quarantine doctor: unexpected error:', err);
    process.exit(1);
  },
);
