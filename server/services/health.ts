import type { Sequelize } from 'sequelize';
import type { HealthCheckReport, HealthComponent, HealthFinding } from '../../shared/health';
import type { PdpClient } from '../clients/amavis-pdp';
import { probeImap, type ImapProbeOptions } from '../clients/imap-probe';
import { formatPdpEndpoint } from '../config';
import { checkDatabase } from '../amavis/schema-check';
import { imapFindings } from './health-imap';
import { checkPdp } from './health-pdp';

export interface HealthDeps {
  sequelize: Sequelize;
  /** The database as the report names it (never with its password). */
  dbTarget: string;
  imap: ImapProbeOptions;
  /** Every AM.PDP endpoint in use (the default first, then one per mapped amavis host). */
  pdps: PdpClient[];
  /** How long a public health answer is reused: GET /api/health is public and must not amplify load. */
  cacheMs?: number;
  checkTimeoutMs?: number;
}

/** The health self-test: the doctor prints its detail, GET /api/health only its verdicts. */
export interface HealthService {
  /** Runs every check now and returns the full detail. */
  runChecks(): Promise<HealthCheckReport[]>;
  /** The latest reports, reusing a recent run (and a run in flight) so callers cannot hammer the peers. */
  cachedChecks(): Promise<HealthCheckReport[]>;
}

/** Builds the health service from its clients. */
export function createHealthService(deps: HealthDeps): HealthService {
  const cacheMs = deps.cacheMs ?? 10_000;
  const timeoutMs = deps.checkTimeoutMs ?? 15_000;
  let cached: { at: number; reports: Promise<HealthCheckReport[]> } | undefined;

  const checks: Array<{ component: HealthComponent; title: string; target: string; run: () => Promise<HealthFinding[]> }> = [
    {
      component: 'db',
      title: 'amavis database',
      target: deps.dbTarget,
      run: () => checkDatabase(deps.sequelize),
    },
    {
      component: 'imap',
      title: 'IMAP server (sign-in)',
      target: `${deps.imap.host}:${deps.imap.port} (${deps.imap.tls})`,
      run: async () => imapFindings(deps.imap, await probeImap(deps.imap)),
    },
    {
      component: 'pdp',
      title: 'amavisd AM.PDP (release)',
      target: deps.pdps.map((p) => formatPdpEndpoint(p.endpoint)).join(', '),
      run: async () => {
        const all = await Promise.all(deps.pdps.map(checkPdp));
        if (all.length === 1) return all[0] ?? [];
        // Several amavisd hosts: say which endpoint each finding is about.
        return all.flatMap((findings, i) => findings.map((f) => ({ ...f, message: `${formatPdpEndpoint(deps.pdps[i]!.endpoint)}: ${f.message}` })));
      },
    },
  ];

  const runChecks = () =>
    Promise.all(
      checks.map(async (check): Promise<HealthCheckReport> => {
        const started = Date.now();
        let findings: HealthFinding[];
        try {
          findings = await withTimeout(check.run(), timeoutMs, `the check did not finish within ${timeoutMs} ms`);
        } catch (err) {
          findings = [{ status: 'fail', message: `the check itself failed: ${(err as Error).message}` }];
        }
        return {
          component: check.component,
          title: check.title,
          target: check.target,
          status: worst(findings),
          findings,
          durationMs: Date.now() - started,
        };
      }),
    );

  return {
    runChecks,
    cachedChecks() {
      if (!cached || Date.now() - cached.at > cacheMs) cached = { at: Date.now(), reports: runChecks() };
      return cached.reports;
    },
  };
}

function worst(findings: HealthFinding[]): HealthFinding['status'] {
  if (findings.some((f) => f.status === 'fail')) return 'fail';
  return findings.some((f) => f.status === 'warn') ? 'warn' : 'ok';
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
