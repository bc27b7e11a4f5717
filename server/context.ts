import { readFileSync } from 'node:fs';
import type session from 'express-session';
import type { Sequelize } from 'sequelize';
import { createPdpClient, type PdpClient } from './clients/amavis-pdp';
import { createImapAuthenticator } from './clients/imap-auth';
import type { ImapProbeOptions } from './clients/imap-probe';
import type { Config } from './config';
import { defineAppModels, ensureAppTables, type AppModels } from './db/app-models';
import { createSequelize, describeDbUrl } from './db/connect';
import { createSessionStore } from './middleware/session';
import { createAliasSource } from './services/aliases';
import { createAuthService, type AuthService } from './services/auth';
import { createHealthService, type HealthService } from './services/health';
import { createMessageService, type MessageService } from './services/messages';
import { createAmavisStore, type AmavisStore } from './amavis/store';
import { createAuditLog, type AuditLog } from './db/audit-log';
import { createRequestStore } from './db/request-store';
import { createAuditService, type AuditService } from './services/audit';
import { createReleaseService, type ReleaseService } from './services/release';
import { createReleaseRequestService, type ReleaseRequestService } from './services/release-requests';
import { createSelfService, type SelfService } from './services/self-service';
import { createSsoService, type SsoService } from './services/sso';
import { createMailer } from './clients/mailer';
import type { Logger } from './logger';

/** The real clients and services, built from the configuration; shared by the server, the doctor and the tests. */
export interface AppContext {
  config: Readonly<Config>;
  sequelize: Sequelize;
  appSequelize: Sequelize;
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
  sso: SsoService;
  sessionStore: session.Store;
  /** Creates our own tables if they are missing; call once before serving. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Creates the clients (no connection is opened until first use). */
export function createContext(config: Readonly<Config>, logger: Logger): AppContext {
  const sequelize = createSequelize(config.dbUrl);
  const appSequelize = config.appDbUrl === config.dbUrl ? sequelize : createSequelize(config.appDbUrl);
  const aliasSequelize = config.aliases.sql ? (config.aliases.dbUrl === config.dbUrl ? sequelize : createSequelize(config.aliases.dbUrl)) : undefined;
  const appModels = defineAppModels(appSequelize);
  const pdp = createPdpClient({ endpoint: config.pdp, replyTimeoutMs: config.pdpTimeoutMs });
  const imap: ImapProbeOptions = {
    host: config.imap.host,
    port: config.imap.port,
    tls: config.imap.tls,
    tlsVerify: config.imap.tlsVerify,
    ca: config.imap.caFile ? readFileSync(config.imap.caFile) : undefined,
  };
  const amavis = createAmavisStore(sequelize, { recipientDelimiter: config.recipientDelimiter });
  const sessionStore = createSessionStore(appSequelize, appModels);
  const auditLog = createAuditLog(appModels);
  const requestStore = createRequestStore(appModels);
  const releasePolicy = config.releasePolicy;
  const messages = createMessageService(amavis, auditLog, {
    recipientDelimiter: config.recipientDelimiter,
    retentionDays: config.retentionDays,
    maxParseBytes: config.maxParseBytes,
    releasePolicy,
  });
  // One client per endpoint; a message goes to the amavisd host that stored it (msgs.host).
  const pdpByHost = new Map([...config.pdpByHost].map(([host, endpoint]) => [host, createPdpClient({ endpoint, replyTimeoutMs: config.pdpTimeoutMs })]));
  const pdpFor = (host: string) => pdpByHost.get(host.toLowerCase()) ?? pdp;
  const release = createReleaseService({ amavis, messages, pdpFor, audit: auditLog, requests: requestStore, releasePolicy });
  const mailer = createMailer(config.mail);
  const requests = createReleaseRequestService({ amavis, store: requestStore, messages, release, audit: auditLog, mailer, logger, releasePolicy, config });
  const aliases = createAliasSource({ file: config.aliases.file, sql: config.aliases.sql, sequelize: aliasSequelize });
  const auth = createAuthService({ imap: createImapAuthenticator(imap), aliases, config });
  return {
    config,
    sequelize,
    appSequelize,
    amavis,
    appModels,
    pdp,
    imap,
    health: createHealthService({ sequelize, dbTarget: describeDbUrl(config.dbUrl), imap, pdps: [pdp, ...new Set(pdpByHost.values())] }),
    auth,
    sso: createSsoService({ config: config.sso, auth, usedTokens: appModels.Session }),
    messages,
    auditLog,
    audit: createAuditService(auditLog),
    release,
    requests,
    selfService: createSelfService({ amavis, messages, release, requests }),
    sessionStore,
    ready: () => ensureAppTables(appModels),
    async close() {
      // The store sweeps expired sessions on a timer; stop it so the process can exit.
      (sessionStore as unknown as { stopExpiringSessions?: () => void }).stopExpiringSessions?.();
      await Promise.all([...new Set([sequelize, appSequelize, aliasSequelize].filter((s) => s !== undefined))].map((s) => s.close()));
    },
  };
}
