/**
 * The configuration: parsed once from `AQ_*` variables (and an optional AQ_CONFIG_FILE) with one zod
 * schema, and frozen. The schema is put together from the parts in ./config/, one per concern; this
 * module is the only entry, and nothing else reads process.env.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { accountsConfig, accountsFields } from './config/accounts';
import { checkDatabaseSettings, databaseConfig, databaseFields, type DatabaseLimits } from './config/database';
import type { LookupSchema } from './lookup/lookup-store';
import { digestConfig, digestFields, type DigestConfig } from './config/digest';
import { parseEnvFile } from './config/env-file';
import { httpConfig, httpFields, type TrustProxy } from './config/http';
import { imapConfig, imapFields } from './config/imap';
import { linkConfig, linkFields, type LinkConfig } from './config/links';
import { mailConfig, mailFields } from './config/mail';
import { pdpConfig, pdpFields } from './config/pdp';
import { learningConfig, learningFields, type LearningConfig } from './config/learning';
import { policyConfig, policyFields } from './config/policy';
import { checkSessionSettings, sessionConfig, sessionFields } from './config/session';
import { checkSpamPolicySettings, spamPolicyConfig, spamPolicyFields, type SpamPolicyConfig } from './config/spam-policy';
import { viewConfig, viewFields } from './config/view';
import { ConfigError, type Config as BaseConfig } from './config/types';

export type { ReleaseMode } from '../shared/actions';
export { parseDomainAdmins } from './config/accounts';
export { parseEnvFile } from './config/env-file';
export { formatPdpEndpoint, parsePdpEndpoint, parsePdpSetting } from './config/pdp';
export { DEFAULT_RELEASE_POLICY, parseReleasePolicy } from './config/policy';
export { ConfigError, type ImapTlsMode, type PdpEndpoint } from './config/types';
export type { DatabaseLimits } from './config/database';

/** The whole configuration, parsed once at startup and frozen (with the capacity limits of issue #10). */
export type Config = Omit<BaseConfig, 'trustProxy'> & { db: DatabaseLimits; pdpMaxConcurrent: number; lookupSchema: LookupSchema } & SignInConfig &
  LinkConfig & { spamPolicy: SpamPolicyConfig } & { learning: LearningConfig } & DigestConfig;

/** Issue #11: trusted proxies by hop count or address (never "all"), and the account+address sign-in limit. */
type SignInConfig = { trustProxy: TrustProxy; loginLimitPerAccountAddress: number };

const schema = z
  .object({
    ...httpFields,
    ...databaseFields,
    ...imapFields,
    ...pdpFields,
    ...learningFields,
    ...accountsFields,
    ...mailFields,
    ...sessionFields,
    ...policyFields,
    ...viewFields,
    ...linkFields,
    ...spamPolicyFields,
    ...digestFields,
  })
  .superRefine(checkSessionSettings)
  .superRefine(checkDatabaseSettings)
  .superRefine(checkSpamPolicySettings)
  .transform((env): Config => ({
    ...httpConfig(env),
    ...databaseConfig(env),
    ...imapConfig(env),
    ...pdpConfig(env),
    ...learningConfig(env),
    ...accountsConfig(env),
    ...mailConfig(env),
    ...sessionConfig(env),
    ...policyConfig(env),
    ...viewConfig(env),
    ...linkConfig(env),
    ...spamPolicyConfig(env),
    ...digestConfig(env),
  }));

/** With no AQ_DB_URL (and no AQ_CONFIG_FILE), `npm start` runs the demo instead of failing. */
export function wantsDemo(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.AQ_DB_URL && !env.AQ_CONFIG_FILE;
}

/**
 * Parses the configuration from `AQ_*` variables (and the optional `AQ_CONFIG_FILE`, which the
 * environment overrides). Throws a ConfigError that lists every problem at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: Record<string, string> = {}): Readonly<Config> {
  const problems: string[] = [];
  let fromFile: Record<string, string> = {};
  if (env.AQ_CONFIG_FILE) {
    try {
      fromFile = parseEnvFile(readFileSync(env.AQ_CONFIG_FILE, 'utf8'));
    } catch (err) {
      problems.push(`AQ_CONFIG_FILE: cannot read ${env.AQ_CONFIG_FILE}: ${(err as Error).message}`);
    }
  }
  // Precedence: the environment, then AQ_CONFIG_FILE, then defaults (the demo's settings).
  const merged: Record<string, string | undefined> = { ...defaults, ...fromFile };
  for (const [key, value] of Object.entries(env)) if (key.startsWith('AQ_') && value !== '') merged[key] = value;

  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      const missing = issue.code === 'invalid_type' && merged[key] === undefined;
      problems.push(missing ? `${key} is required${REQUIRED_HINTS[key] ? `: ${REQUIRED_HINTS[key]}` : ''}` : prefixed(key, issue.message));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (!parsed.success) throw new ConfigError(['unreachable']);
  return deepFreeze(parsed.data);
}

const REQUIRED_HINTS: Record<string, string> = {
  AQ_DB_URL: 'the amavis storage database, e.g. mysql://amavis:secret@127.0.0.1:3306/amavis or postgres://amavis:secret@127.0.0.1:5432/amavis',
  AQ_IMAP_HOST: 'the IMAP server that checks users\u2019 passwords, e.g. mail.example.org',
  AQ_PDP: 'amavisd\u2019s AM.PDP policy bank, e.g. tcp://127.0.0.1:9998 or unix:/var/lib/amavis/amavisd.sock',
  AQ_SESSION_SECRET: 'at least 32 random characters, e.g. from `openssl rand -hex 32`',
};

const prefixed = (key: string, message: string) => (message.startsWith(key) || !key ? message : `${key}: ${message}`);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
