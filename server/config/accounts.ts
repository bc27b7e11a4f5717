import { z } from 'zod';
import type { databaseFields } from './database';
import { DOMAIN, EMAIL, dbUrl, email, list, parsedBy, positiveInt, type EnvOf } from './fields';
import type { Config } from './types';

/** Parses AQ_DOMAIN_ADMINS: `admin@x.org:x.org,y.org;other@z.org:z.org`. */
export function parseDomainAdmins(raw: string): Map<string, string[]> | string {
  const admins = new Map<string, string[]>();
  for (const entry of raw
    .split(';')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address, domains] = entry.split(':');
    const list = (domains ?? '')
      .split(',')
      .map((d) => d.trim().toLowerCase())
      .filter(Boolean);
    if (!address || !EMAIL.test(address.trim()) || list.length === 0 || !list.every((d) => DOMAIN.test(d))) {
      return `AQ_DOMAIN_ADMINS: "${entry}" must look like admin@example.org:example.org,example.net`;
    }
    admins.set(address.trim().toLowerCase(), list);
  }
  return admins;
}

/** Who is who: super users, domain admins, and which addresses belong to a signed-in user. */
export const accountsFields = {
  AQ_SUPER_USERS: z
    .string()
    .optional()
    .transform((v) => list(v).map((s) => s.toLowerCase()))
    .pipe(z.array(email)),
  AQ_DOMAIN_ADMINS: z.string().optional().transform(parsedBy(parseDomainAdmins)),
  AQ_DEFAULT_DOMAIN: z.string().toLowerCase().regex(DOMAIN, 'AQ_DEFAULT_DOMAIN must be a domain like example.org').optional(),
  AQ_RECIPIENT_DELIMITER: z
    .string()
    .regex(/^[+\-_.=]+$/, 'AQ_RECIPIENT_DELIMITER must be characters like + or -')
    .optional(),
  AQ_ALIASES_FILE: z.string().min(1).optional(),
  AQ_ALIASES_SQL: z
    .string()
    .refine((q) => /^\s*select\b/i.test(q) && q.includes(':email'), 'AQ_ALIASES_SQL must be a SELECT with an :email placeholder')
    .optional(),
  AQ_ALIASES_DB_URL: dbUrl('AQ_ALIASES_DB_URL').optional(),
  // Per account AND address, so that a stranger's failures never lock the owner out (see login-limits.ts).
  AQ_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS: positiveInt('AQ_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS').optional(),
};

type AccountsEnv = EnvOf<typeof accountsFields> & Pick<EnvOf<typeof databaseFields>, 'AQ_DB_URL'>;

/** The accounts part of the Config; alias lookups default to amavis's database. */
export function accountsConfig(
  env: AccountsEnv,
): Pick<Config, 'superUsers' | 'domainAdmins' | 'defaultDomain' | 'recipientDelimiter' | 'aliases'> & { loginLimitPerAccountAddress: number } {
  return {
    loginLimitPerAccountAddress: env.AQ_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS ?? 5,
    superUsers: env.AQ_SUPER_USERS,
    domainAdmins: env.AQ_DOMAIN_ADMINS,
    defaultDomain: env.AQ_DEFAULT_DOMAIN,
    recipientDelimiter: env.AQ_RECIPIENT_DELIMITER,
    aliases: { file: env.AQ_ALIASES_FILE, sql: env.AQ_ALIASES_SQL, dbUrl: env.AQ_ALIASES_DB_URL ?? env.AQ_DB_URL },
  };
}
