import type { Role, SessionUser } from '../../shared/session';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { AliasSource } from './aliases';

type IdentityConfig = Pick<Config, 'superUsers' | 'domainAdmins' | 'defaultDomain' | 'imapMasterSeparator'>;

/** Turns what a user typed into the address to sign in with, or refuses it. */
export function normalizeUsername(input: string, config: IdentityConfig): string {
  const username = input.trim().toLowerCase();
  // Dovecot's master-user separator (user*master) would let a master password act as this user: a
  // quarantine sign-in must only ever check the user's own password.
  if (username.includes(config.imapMasterSeparator)) {
    throw new AppError(400, 'validation_failed', `the username may not contain "${config.imapMasterSeparator}"`);
  }
  if (!username || /[\s\0"\\]/.test(username) || username.length > 254) throw new AppError(400, 'validation_failed', 'enter your e-mail address');
  if (username.includes('@')) {
    if (!/^[^@]+@[^@]+\.[^@]+$/.test(username)) throw new AppError(400, 'validation_failed', 'enter your e-mail address');
    return username;
  }
  if (!config.defaultDomain) throw new AppError(400, 'validation_failed', 'enter your full e-mail address');
  return `${username}@${config.defaultDomain}`;
}

/** The role and domains of an address, from the configuration (read at every request, so a change applies at once). */
export function roleOf(email: string, config: IdentityConfig): { role: Role; domains: string[] } {
  if (config.superUsers.includes(email)) return { role: 'super', domains: [] };
  const domains = config.domainAdmins.get(email);
  if (domains?.length) return { role: 'domain_admin', domains: [...domains] };
  return { role: 'user', domains: [] };
}

/** The full identity of a signed-in user: role, domains, and the addresses they receive mail for. */
export async function resolveIdentity(email: string, config: IdentityConfig, aliases: AliasSource): Promise<SessionUser> {
  const { role, domains } = roleOf(email, config);
  return { email, role, domains, addresses: [email, ...(await aliases.aliasesOf(email))] };
}
