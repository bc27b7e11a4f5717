import { UniqueConstraintError } from 'sequelize';
import type { AppModels } from './app-models';

/** Single-use tokens (SSO), remembered until they expire, atomically across every instance. */
export interface UsedTokenLog {
  /** Records the token; false when it was recorded before (a replay). */
  claim(key: string, expires: Date): Promise<boolean>;
}

/**
 * Keeps used tokens as rows of the session table: a row whose id no cookie can name (cookies carry ids
 * signed with the session secret), removed by the store's sweep once expired. The primary key makes the
 * claim atomic across every instance sharing AQ_APP_DB_URL, which an in-memory cache would not be.
 */
export function createUsedTokenLog(models: AppModels): UsedTokenLog {
  return {
    async claim(key, expires) {
      try {
        await models.Session.create({ sid: `sso:${key.slice(0, 60)}`, expires, data: '{"usedSsoToken":true}' });
        return true;
      } catch (err) {
        if (err instanceof UniqueConstraintError) return false;
        throw err;
      }
    },
  };
}
