import type { StatsResponse, StatsScope } from '../../shared/stats';
import type { SessionUser } from '../../shared/session';
import type { RecipientIdResolver } from '../amavis/recipient-ids';
import { reverseDomain } from '../amavis/recipient-ids';
import type { StatsKey, StatsStore } from '../amavis/stats-query';
import { AppError } from '../errors';
import { presentStats } from '../presenters/stats';

/** The longest period GET /api/stats covers, in days. */
export const MAX_STATS_DAYS = 90;
/** The listed copies the top lists are counted over at most: a bounded read whatever the scope's size. */
export const TOP_SAMPLE = 10_000;
const DAY = 86_400;

/** Per-day statistics of a user's own mail, a domain's (its admins, super users) or the site's (super users), from the rollup. */
export interface StatsService {
  get(user: SessionUser, query: { scope: StatsScope; days: number; domain?: string | undefined }, now?: number): Promise<StatsResponse>;
}

/** Creates the service over the rollup's reads and the maddr id resolver. */
export function createStatsService(deps: { store: StatsStore; recipients: RecipientIdResolver; recipientDelimiter?: string | undefined }): StatsService {
  /** Turns the asked scope into the rollup's key, refusing what the user may not see (403) before any read. */
  async function keyOf(user: SessionUser, scope: StatsScope, domain: string | undefined): Promise<{ key: StatsKey; domain?: string }> {
    if (scope === 'user') {
      if (domain !== undefined) throw new AppError(400, 'validation_failed', 'domain= goes with scope=domain only');
      return { key: { kind: 'r', rids: await deps.recipients.forAddresses(user.addresses, deps.recipientDelimiter ?? '') } };
    }
    if (scope === 'site') {
      if (user.role !== 'super') throw new AppError(403, 'forbidden', 'only super users see the statistics of the whole site');
      if (domain !== undefined) throw new AppError(400, 'validation_failed', 'domain= goes with scope=domain only');
      return { key: { kind: 's' } };
    }
    if (user.role === 'user') throw new AppError(403, 'forbidden', 'only administrators see the statistics of a domain');
    const wanted = domain?.trim().toLowerCase() || (user.role === 'domain_admin' ? [...user.domains].sort()[0] : undefined);
    if (!wanted) throw new AppError(400, 'validation_failed', 'name the domain: scope=domain&domain=example.org');
    if (user.role !== 'super' && !user.domains.map((d) => d.toLowerCase()).includes(wanted)) throw new AppError(403, 'forbidden', `you do not administer ${wanted}`);
    return { key: { kind: 'd', rdomain: reverseDomain(wanted) }, domain: wanted };
  }

  return {
    async get(user, query, now = Math.floor(Date.now() / 1000)) {
      const { key, domain } = await keyOf(user, query.scope, query.domain);
      const today = Math.floor(now / DAY);
      const fromDay = today - query.days + 1;
      const rows = await deps.store.days(key, fromDay, today);
      if (!rows) throw new AppError(503, 'stats_unavailable', 'the statistics are not installed here: an administrator runs `npm run migrate`');
      const upTo = await deps.store.upTo();
      const tops = key.kind === 'r' ? undefined : await deps.store.tops(key, fromDay * DAY, (today + 1) * DAY, TOP_SAMPLE);
      return presentStats({ scope: query.scope, domain, fromDay, today, rows, upTo, tops, sampleLimit: TOP_SAMPLE });
    },
  };
}
