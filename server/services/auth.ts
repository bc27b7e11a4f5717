import type { SessionUser } from '../../shared/session';
import { ImapUnavailableError, type ImapAuthenticator } from '../clients/imap-auth';
import { AppError } from '../errors';
import type { AliasSource } from './aliases';
import { normalizeUsername, resolveIdentity } from './identity';
import type { IdentityConfig } from '../middleware/require-user';

/** Sign-in: the IMAP server checks the password; we never store or log it. */
export interface AuthService {
  signIn(username: string, password: string, clientIp?: string): Promise<SessionUser>;
  /** The identity of an address that something else has already proven (single sign-on): no password. */
  identify(username: string): Promise<SessionUser>;
}

/** Creates the sign-in service. */
export function createAuthService(deps: { imap: ImapAuthenticator; aliases: AliasSource; config: IdentityConfig }): AuthService {
  return {
    async signIn(username, password, clientIp) {
      const email = normalizeUsername(username, deps.config);
      let valid: boolean;
      try {
        valid = await deps.imap.verify(email, password, clientIp);
      } catch (err) {
        if (err instanceof ImapUnavailableError) {
          throw new AppError(503, 'mail_server_unavailable', 'the mail server cannot check passwords right now; try again in a moment');
        }
        throw err;
      }
      // One answer for an unknown user and a wrong password, so sign-in reveals no account names.
      if (!valid) throw new AppError(401, 'invalid_credentials', 'wrong e-mail address or password');
      return resolveIdentity(email, deps.config, deps.aliases);
    },
    identify: (username) => resolveIdentity(normalizeUsername(username, deps.config), deps.config, deps.aliases),
  };
}
