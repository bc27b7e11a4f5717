import type { Sequelize } from 'sequelize';
import type { HealthCheckReport, ReadinessComponent } from '../../shared/health';
import type { PdpClient } from '../clients/amavis-pdp';
import { probeImap, type ImapProbeOptions } from '../clients/imap-probe';
import { formatPdpEndpoint } from '../config';
import { checkDatabase } from '../amavis/schema-check';
import type { DigestModels } from '../db/digest-models';
import { checkDigestTables } from '../digest/digest-check';
import { checkLookupDatabase } from '../lookup/lookup-check';
import type { LookupSchema } from '../lookup/lookup-store';
import { cachedCheck, runBounded, type HealthCheck } from './health-cache';
import { imapFindings } from './health-imap';
import { checkPdp } from './health-pdp';

export interface HealthDeps {
  sequelize: Sequelize;
  /** The database as the report names it (never with its password). */
  dbTarget: string;
  /** amavis's lookup database (AQ_LOOKUP_DB_URL) and its name in the report: the doctor checks it. */
  lookup?: { sequelize: Sequelize; target: string; schema?: LookupSchema };
  /** The digests' tables in AQ_APP_DB_URL and that database's name in the report: the doctor checks them. */
  digests?: { models: DigestModels; target: string };
  imap: ImapProbeOptions;
  /** Every AM.PDP endpoint in use (the default first, then one per mapped amavis host). */
  pdps: PdpClient[];
  /** How old a cached report may get before a probe refreshes it (in the background). Probes are public
   * and frequent (load balancers, monitors): this also keeps them from hammering the mail server. */
  cacheMs?: number;
  /** The time limit of each check behind a probe: short, so a stalled peer is reported, not waited for. */
  probeTimeoutMs?: number;
  /** The time limit of each check in the doctor's full diagnosis, which an operator waits for. */
  checkTimeoutMs?: number;
}

/** The health self-test: the doctor prints its detail, GET /api/health only its verdicts. */
export interface HealthService {
  /** Runs every check now, in parallel, and returns the full detail (the doctor). */
  runChecks(): Promise<HealthCheckReport[]>;
  /** The latest report of every check, answered from the cache (see `cachedCheck`). */
  cachedChecks(): Promise<HealthCheckReport[]>;
  /** The latest reports of what sign-in and listing need: the database reachable, IMAP reachable. */
  readiness(): Promise<Record<ReadinessComponent, HealthCheckReport>>;
}

/** Builds the health service from its clients. */
export function createHealthService(deps: HealthDeps): HealthService {
  const cache = { maxAgeMs: deps.cacheMs ?? 10_000, timeoutMs: deps.probeTimeoutMs ?? 3_000 };
  const checkTimeoutMs = deps.checkTimeoutMs ?? 15_000;

  const database: HealthCheck = { component: 'db', title: 'amavis database', target: deps.dbTarget, run: () => checkDatabase(deps.sequelize) };
  // The doctor's only: sender lists and spam policies need it, sign-in and listing (the probes) do not.
  const lookup: HealthCheck[] = deps.lookup
    ? [
        {
          component: 'db',
          title: 'amavis lookup database (sender lists, spam policy)',
          target: deps.lookup.target,
          run: () => checkLookupDatabase(deps.lookup!.sequelize, deps.lookup!.schema),
        },
      ]
    : [];
  // The doctor's only, too: digests are sent in the background, and nothing a user does waits on them.
  const digests: HealthCheck[] = deps.digests
    ? [{ component: 'db', title: 'digest tables', target: deps.digests.target, run: () => checkDigestTables(deps.digests!.models) }]
    : [];
  const imap: HealthCheck = {
    component: 'imap',
    title: 'IMAP server (sign-in)',
    target: `${deps.imap.host}:${deps.imap.port} (${deps.imap.tls})`,
    run: async () => imapFindings(deps.imap, await probeImap(deps.imap)),
  };
  const pdp: HealthCheck = {
    component: 'pdp',
    title: 'amavisd AM.PDP (release)',
    target: deps.pdps.map((p) => formatPdpEndpoint(p.endpoint)).join(', '),
    run: async () => {
      const all = await Promise.all(deps.pdps.map(checkPdp));
      if (all.length === 1) return all[0] ?? [];
      // Several amavisd hosts: say which endpoint each finding is about.
      return all.flatMap((findings, i) => findings.map((f) => ({ ...f, message: `${formatPdpEndpoint(deps.pdps[i]!.endpoint)}: ${f.message}` })));
    },
  };
  // Readiness asks only whether the database answers: the schema, indexes and grants the full check
  // looks at are the same for every instance, a matter for the doctor, not for the load balancer.
  const databaseReachable: HealthCheck = {
    ...database,
    title: 'amavis database (reachable)',
    run: async () => {
      await deps.sequelize.authenticate();
      return [{ status: 'ok', message: 'connected' }];
    },
  };

  const full = [database, imap, pdp].map((check) => cachedCheck(check, cache));
  const ready = { db: cachedCheck(databaseReachable, cache), imap: full[1]! };

  return {
    runChecks: () => Promise.all([database, ...lookup, ...digests, imap, pdp].map((check) => runBounded(check, checkTimeoutMs).report)),
    cachedChecks: () => Promise.all(full.map((check) => check.latest())),
    async readiness() {
      const [db, imapReport] = await Promise.all([ready.db.latest(), ready.imap.latest()]);
      return { db, imap: imapReport };
    },
  };
}
