import type { Sequelize } from 'sequelize';
import type { RecipientIdResolver } from '../amavis/recipient-ids';
import type { Mailer } from '../clients/mailer';
import type { Config } from '../config';
import { defineDigestModels, ensureDigestTables, type DigestModels } from '../db/digest-models';
import type { Logger } from '../logger';
import type { AliasSource } from '../services/aliases';
import { createDigestRunner, type DigestRunner } from './digest-run';
import { createDigestScan } from './digest-scan';
import { createDigestScheduler } from './digest-scheduler';
import { createDigestSettingsService, type DigestSettingsService } from './digest-settings';

/** The digest's services, built once by context.ts. */
export interface DigestParts {
  digestModels: DigestModels;
  digestSettings: DigestSettingsService;
  digest: DigestRunner;
  /** Creates the tables and starts this instance's scheduler (with AQ_SMTP_URL, unless AQ_DIGEST_INTERVAL_MS=0). */
  startDigests(): Promise<void>;
  stopDigests(): Promise<void>;
}

/** Builds the digest's settings, runner and scheduler from the configuration and the shared clients. */
export function createDigestParts(deps: {
  config: Readonly<Config>;
  sequelize: Sequelize;
  appSequelize: Sequelize;
  recipients: RecipientIdResolver;
  aliases: AliasSource;
  mailer: Mailer;
  logger: Logger;
}): DigestParts {
  const { config } = deps;
  const digestModels = defineDigestModels(deps.appSequelize);
  const digestSettings = createDigestSettingsService({ models: digestModels, defaultFrequency: config.digest.defaultFrequency });
  const digest = createDigestRunner({
    appSequelize: deps.appSequelize,
    models: digestModels,
    scan: createDigestScan(deps.sequelize),
    recipients: deps.recipients,
    aliases: deps.aliases,
    settings: digestSettings,
    mailer: deps.mailer,
    logger: deps.logger,
    config: {
      recipientDelimiter: config.recipientDelimiter,
      retentionDays: config.retentionDays,
      releasePolicy: config.releasePolicy,
      maxEntries: config.digest.maxEntries,
      webmailUrl: config.mail.publicUrl,
      from: config.mail.from,
      links: { apiUrl: config.digest.apiUrl, secret: config.links.secret, maxAgeDays: config.links.maxAgeDays, selfService: config.selfService },
    },
  });
  const scheduler = createDigestScheduler(digest, { intervalMs: config.digest.intervalMs, logger: deps.logger });
  return {
    digestModels,
    digestSettings,
    digest,
    async startDigests() {
      await ensureDigestTables(digestModels);
      if (!deps.mailer.enabled) return;
      if (!config.digest.apiUrl || !config.links.secret || !config.selfService) {
        deps.logger.warn('digests carry no action links (release, delete, allow, block): set AQ_API_URL, AQ_SELF_SERVICE=true and AQ_LINK_SECRET');
      }
      if (config.digest.intervalMs > 0) scheduler.start();
    },
    stopDigests: () => scheduler.stop(),
  };
}
