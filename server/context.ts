import { readFileSync } from 'node:fs';
import type session from 'express-session';
import type { Sequelize } from 'sequelize';
import { createPdpClient, type PdpClient } from './clients/amavis-pdp';
import { createImapAuthenticator } from './clients/imap-auth';
import type { ImapProbeOptions } from './clients/imap-probe';
import type { Config } from './config';
import { defineAppModels, ensureAppTables, type AppModels } from './db/app-models';
import { createSequelize, describeDbUrl, statementKiller } from './db/connect';
import { createSessionStore } from './middleware/session';
import { createAliasSource } from './services/aliases';
import { createAuthService, type AuthService } from './services/auth';
import { createHealthService, type HealthService } from './services/health';
import { createMessageService, type MessageService } from './services/messages';
import { createAmavisStore, type AmavisStore } from './amavis/store';
import { createListIndexer, isMissingTable, type ListIndexer } from './amavis/list-indexer';
import { createAuditLog, type AuditLog } from './db/audit-log';
import { createAliasQuery } from './db/alias-query';
import { createRequestStore } from './db/request-store';
import { createReleaseIntentStore } from './db/release-intents';
import { createUsedTokenLog } from './db/used-tokens';
import { createDbRateLimitStores, type RateLimitStoreFactory } from './db/rate-limit-store';
import { createLinkCopies } from './amavis/link-copies';
import { createAuditService, type AuditService } from './services/audit';
import { createReleaseService, type ReleaseService } from './services/release';
import { createReleaseRequestService, type ReleaseRequestService } from './services/release-requests';
import { createSelfService, type SelfService } from './services/self-service';
import { createSsoService, type SsoService } from './services/sso';
import { createMailer } from './clients/mailer';
import { createViewPool } from './view/view-pool';
import type { Logger } from './logger';
import { createIspconfigLookupStore } from './lookup/ispconfig-store';
import { createLookupStore } from './lookup/lookup-store';
import { createSenderListService, type SenderListService } from './services/sender-lists';
import { createLearningService, type LearningService } from './services/learning';
import { createSpamdClient } from './clients/spamd';
import { createSpamPolicyService, type SpamPolicyService } from './services/spam-policy';
import { createDigestParts, type DigestParts } from './digest/digest-context';
import { createStatsStore } from './amavis/stats-query';
import { createStatsService, type StatsService } from './services/stats';

/** The real clients and services, built from the configuration; shared by the server, the doctor and the tests. */
export interface AppContext extends DigestParts {
  config: Readonly<Config>;
  sequelize: Sequelize;
  appSequelize: Sequelize;
  /** amavis's lookup database (AQ_LOOKUP_DB_URL): `sequelize` itself unless that differs from AQ_DB_URL. */
  lookupSequelize: Sequelize;
  amavis: AmavisStore;
  appModels: AppModels;
  pdp: PdpClient;
  imap: ImapProbeOptions;
  health: HealthService;
  auth: AuthService;
  messages: MessageService;
  auditLog: AuditLog;
  audit: AuditService;
  release: ReleaseService;
  requests: ReleaseRequestService;
  selfService: SelfService;
  /** Rate-limit counters in the app database, shared by every instance (sign-in, self-service links). */
  rateLimitStores: RateLimitStoreFactory;
  sso: SsoService;
  /** Allow and block lists in amavis's lookup tables (AQ_LOOKUP_DB_URL). */
  senderLists: SenderListService;
  /** SpamAssassin learning through spamd (AQ_SPAMD); `enabled` is false without it. */
  learning: LearningService;
  /** Spam policy per user and domain in amavis's policy table (AQ_LOOKUP_DB_URL). */
  spamPolicy: SpamPolicyService;
  /** Per-day statistics from the rollup the list indexer keeps (GET /api/stats). */
  stats: StatsService;
  sessionStore: session.Store;
  /** Keeps the list index in step with amavis's tables (started by ready() unless AQ_LIST_INDEX_INTERVAL_MS=0). */
  listIndexer: ListIndexer;
  /** Creates our own tables if they are missing; call once before serving. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Creates the clients (no connection is opened until first use). */
export function createContext(config: Readonly<Config>, logger: Logger): AppContext {
  const limits = { statementTimeoutMs: config.db.statementTimeoutMs, poolMax: config.db.poolMax, acquireTimeoutMs: config.db.acquireTimeoutMs };
  const sequelize = createSequelize(config.dbUrl, { limits, retryCutReads: true });
  // Listings get a pool of their own: however many run, sign-in, sessions and releases keep theirs.
  // A listing whose client left is stopped (KILL QUERY, pg_cancel_backend) by a statement sent over the main pool.
  const listSequelize = createSequelize(config.dbUrl, {
    limits: { ...limits, poolMax: config.db.listPoolMax },
    killQuery: statementKiller(sequelize),
  });
  const appSequelize = config.appDbUrl === config.dbUrl ? sequelize : createSequelize(config.appDbUrl, { limits, retryCutReads: true });
  const aliasSequelize = config.aliases.sql ? (config.aliases.dbUrl === config.dbUrl ? sequelize : createSequelize(config.aliases.dbUrl)) : undefined;
  const lookupSequelize = config.lookupDbUrl === config.dbUrl ? sequelize : createSequelize(config.lookupDbUrl, { limits, retryCutReads: true });
  const lookup = config.lookupSchema === 'ispconfig' ? createIspconfigLookupStore(lookupSequelize) : createLookupStore(lookupSequelize);
  const appModels = defineAppModels(appSequelize);
  const pdp = createPdpClient({ endpoint: config.pdp, replyTimeoutMs: config.pdpTimeoutMs });
  const imap: ImapProbeOptions = {
    host: config.imap.host,
    port: config.imap.port,
    tls: config.imap.tls,
    tlsVerify: config.imap.tlsVerify,
    ca: config.imap.caFile ? readFileSync(config.imap.caFile) : undefined,
  };
  const amavis = {
    ...createAmavisStore(sequelize, { recipientDelimiter: config.recipientDelimiter }),
    listing: createAmavisStore(listSequelize, { recipientDelimiter: config.recipientDelimiter }).listing,
  };
  const sessionStore = createSessionStore(appSequelize, appModels);
  const auditLog = createAuditLog(appModels);
  const requestStore = createRequestStore(appModels);
  const releasePolicy = config.releasePolicy;
  const releaseIntents = createReleaseIntentStore(appModels);
  // A release waits this long for its turn at most (AQ_PDP_TIMEOUT_MS can be minutes: amavisd answers
  // only once the MTA took the mail); an attempt open for longer than its whole bound is dead.
  const pdpQueueTimeoutMs = Math.min(config.pdpTimeoutMs, 10_000);
  const attemptStaleAfterMs = pdpQueueTimeoutMs + config.pdpTimeoutMs + 4 * config.db.statementTimeoutMs + 60_000;
  const viewPool = createViewPool(config.view);
  const messages = createMessageService(amavis, auditLog, {
    recipientDelimiter: config.recipientDelimiter,
    retentionDays: config.retentionDays,
    maxParseBytes: config.maxParseBytes,
    releasePolicy,
    viewPool,
    releaseIntents,
  });
  // One client per endpoint; a message goes to the amavisd host that stored it (msgs.host).
  const pdpByHost = new Map([...config.pdpByHost].map(([host, endpoint]) => [host, createPdpClient({ endpoint, replyTimeoutMs: config.pdpTimeoutMs })]));
  const pdpFor = (host: string) => pdpByHost.get(host.toLowerCase()) ?? pdp;
  const release = createReleaseService({
    amavis,
    messages,
    pdpFor,
    audit: auditLog,
    requests: requestStore,
    intents: releaseIntents,
    releasePolicy,
    logger,
    pdpMaxConcurrent: config.pdpMaxConcurrent,
    pdpQueueTimeoutMs,
    attemptStaleAfterMs,
  });
  const mailer = createMailer(config.mail);
  const requests = createReleaseRequestService({ amavis, store: requestStore, messages, release, audit: auditLog, mailer, logger, releasePolicy, config });
  const aliases = createAliasSource({
    file: config.aliases.file,
    query: aliasSequelize && config.aliases.sql ? createAliasQuery(aliasSequelize, config.aliases.sql) : undefined,
  });
  const senderLists = createSenderListService({ lookup, messages, audit: auditLog });
  const digestParts = createDigestParts({ config, sequelize, appSequelize, recipients: amavis.recipients, aliases, mailer, logger });
  const { spamd: spamdAt } = config.learning;
  const spamd = spamdAt ? createSpamdClient({ host: spamdAt.host, port: spamdAt.port, timeoutMs: config.learning.timeoutMs }) : undefined;
  const auth = createAuthService({ imap: createImapAuthenticator(imap), aliases, config });
  // One log line per kind of failure and minute: the indexer retries every interval.
  const reported = new Map<string, number>();
  const listIndexer = createListIndexer(sequelize, {
    intervalMs: config.db.listIndexIntervalMs,
    onError(err) {
      const missing = isMissingTable(err);
      const key = missing ? 'missing' : (err as Error).message;
      if (Date.now() - (reported.get(key) ?? 0) < 60_000) return;
      reported.set(key, Date.now());
      if (missing) logger.warn("the list index is not installed: listings read amavis's tables, and are slow at scale (run `npm run migrate`)");
      else logger.error({ err: (err as Error).message }, 'list indexer: this turn failed; the next one retries');
    },
  });
  return {
    config,
    sequelize,
    appSequelize,
    lookupSequelize,
    amavis,
    appModels,
    pdp,
    imap,
    health: createHealthService({
      sequelize,
      dbTarget: describeDbUrl(config.dbUrl),
      lookup: { sequelize: lookupSequelize, target: describeDbUrl(config.lookupDbUrl), schema: config.lookupSchema },
      digests: { models: digestParts.digestModels, target: describeDbUrl(config.appDbUrl) },
      imap,
      pdps: [pdp, ...new Set(pdpByHost.values())],
    }),
    auth,
    sso: createSsoService({ config: config.sso, auth, usedTokens: createUsedTokenLog(appModels) }),
    messages,
    auditLog,
    audit: createAuditService(auditLog, amavis),
    release,
    requests,
    selfService: createSelfService({ amavis, linkCopies: createLinkCopies(sequelize), messages, release, requests, senderLists, links: config.links }),
    rateLimitStores: createDbRateLimitStores(appModels),
    senderLists,
    learning: createLearningService({ spamd, level: config.learning.level, amavis, messages, release, senderLists, audit: auditLog }),
    spamPolicy: createSpamPolicyService({ lookup, audit: auditLog, config: config.spamPolicy }),
    stats: createStatsService({ store: createStatsStore(sequelize), recipients: amavis.recipients, recipientDelimiter: config.recipientDelimiter }),
    sessionStore,
    listIndexer,
    ...digestParts,
    async ready() {
      await ensureAppTables(appModels);
      await digestParts.startDigests();
      if (config.db.listIndexIntervalMs > 0) listIndexer.start();
      // Releases a crash (or a lost database connection) left without an outcome: amavisd may have
      // delivered them, so they become "unknown", visible in the list, the view and the audit log.
      for (const intent of await releaseIntents.abandonOpen()) {
        await auditLog.record({
          actor: intent.actor,
          action: 'release',
          ref:
            intent.rseqnum === null
              ? { partitionTag: intent.partitionTag, mailId: intent.mailId }
              : { partitionTag: intent.partitionTag, mailId: intent.mailId, rseqnum: intent.rseqnum },
          recipient: intent.recipient,
          result: 'unknown',
          detail: `sent at ${intent.sentAt.toISOString()}; the server stopped before amavisd's answer was recorded`,
        });
      }
    },
    async close() {
      // The store sweeps expired sessions on a timer; stop it so the process can exit.
      (sessionStore as unknown as { stopExpiringSessions?: () => void }).stopExpiringSessions?.();
      await listIndexer.stop();
      await digestParts.stopDigests();
      await viewPool.close();
      await Promise.all([...new Set([sequelize, listSequelize, appSequelize, aliasSequelize, lookupSequelize].filter((s) => s !== undefined))].map((s) => s.close()));
    },
  };
}
