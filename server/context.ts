import { readFileSync } from 'node:fs';
import type { Sequelize } from 'sequelize';
import { createPdpClient, type PdpClient } from './clients/amavis-pdp';
import type { ImapProbeOptions } from './clients/imap-probe';
import type { Config } from './config';
import { defineAmavisModels, type AmavisModels } from './db/amavis-models';
import { createSequelize, describeDbUrl } from './db/connect';
import { createHealthService, type HealthService } from './services/health';

/** The real clients and services, built from the configuration; shared by the server, the doctor and the tests. */
export interface AppContext {
  sequelize: Sequelize;
  models: AmavisModels;
  pdp: PdpClient;
  imap: ImapProbeOptions;
  health: HealthService;
  close(): Promise<void>;
}

/** Creates the clients (no connection is opened until first use). */
export function createContext(config: Readonly<Config>): AppContext {
  const sequelize = createSequelize(config.dbUrl);
  const pdp = createPdpClient({ endpoint: config.pdp, replyTimeoutMs: config.pdpTimeoutMs });
  const imap: ImapProbeOptions = {
    host: config.imap.host,
    port: config.imap.port,
    tls: config.imap.tls,
    tlsVerify: config.imap.tlsVerify,
    ca: config.imap.caFile ? readFileSync(config.imap.caFile) : undefined,
  };
  return {
    sequelize,
    models: defineAmavisModels(sequelize),
    pdp,
    imap,
    health: createHealthService({ sequelize, dbTarget: describeDbUrl(config.dbUrl), imap, pdp }),
    close: () => sequelize.close(),
  };
}
