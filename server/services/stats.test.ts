import { describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '../../shared/session';
import type { RecipientIdResolver } from '../amavis/recipient-ids';
import type { StatsStore } from '../amavis/stats-query';
import { createStatsService } from './stats';

const alice: SessionUser = { email: 'alice@example.test', role: 'user', addresses: ['alice@example.test', 'sales@example.test'], domains: [] };
const admin: SessionUser = { email: 'admin@example.test', role: 'domain_admin', addresses: ['admin@example.test'], domains: ['example.test', 'example.net'] };
const root: SessionUser = { email: 'super@example.test', role: 'super', addresses: ['super@example.test'], domains: [] };
const DAY = 86_400;
// 2026-11-30 12:00 UTC.
const NOW = 20_787 * DAY + 43_200;

function service() {
  const store = {
    days: vi.fn<StatsStore['days']>().mockResolvedValue([
      { day: 20_787, content: 'S', quarantined: 4, released: 1, requested: 0, deleted: 1 },
      { day: 20_787, content: 's', quarantined: 1, released: 0, requested: 1, deleted: 0 },
      { day: 20_786, content: 'T', quarantined: 2, released: 0, requested: 0, deleted: 0 },
      { day: 20_700, content: 'S', quarantined: 9, released: 9, requested: 0, deleted: 0 },
    ]),
    upTo: vi.fn<StatsStore['upTo']>().mockResolvedValue(NOW - 5),
    tops: vi.fn<StatsStore['tops']>().mockResolvedValue({ copies: 7, senders: [{ address: 'x@y.example', count: 3 }], recipients: [] }),
  };
  const forAddresses = vi.fn().mockResolvedValue(['11', '12']);
  const recipients = { forAddresses, forDomains: vi.fn(), forScope: vi.fn() } as unknown as RecipientIdResolver;
  return { store, forAddresses, stats: createStatsService({ store, recipients, recipientDelimiter: '+' }) };
}

describe('the statistics service', () => {
  it('answers every day of the period, oldest first, with types, totals and rates', async () => {
    const { stats, store, forAddresses } = service();
    const body = await stats.get(alice, { scope: 'user', days: 3 }, NOW);
    // The user's own addresses (with +extensions) as maddr ids, in the query itself; no top lists.
    expect(forAddresses).toHaveBeenCalledWith(alice.addresses, '+');
    expect(store.days).toHaveBeenCalledWith({ kind: 'r', rids: ['11', '12'] }, 20_785, 20_787);
    expect(store.tops).not.toHaveBeenCalled();
    expect(body.days.map((d) => d.day)).toEqual(['2026-11-28', '2026-11-29', '2026-11-30']);
    expect(body.days[0]).toEqual({ day: '2026-11-28', quarantined: {}, total: 0, released: 0, requested: 0, deleted: 0 });
    // An MTA error is in the total only; amavisd's old lowercase 's' is "likely spam".
    expect(body.days[1]).toMatchObject({ quarantined: {}, total: 2 });
    expect(body.days[2]).toEqual({ day: '2026-11-30', quarantined: { spam: 4, spammy: 1 }, total: 5, released: 1, requested: 1, deleted: 1 });
    expect(body.totals).toEqual({ quarantined: 7, released: 1, requested: 1, deleted: 1 });
    expect(body.rates.released).toBeCloseTo(1 / 7, 4);
    expect(body.topSenders).toBeUndefined();
    expect(body.upTo).toBe(new Date((NOW - 5) * 1000).toISOString());
  });

  it('gives a domain to its admin (their first without domain=) and the site to super users, with top lists', async () => {
    const { stats, store } = service();
    expect((await stats.get(admin, { scope: 'domain', days: 7 }, NOW)).domain).toBe('example.net');
    expect(store.days).toHaveBeenLastCalledWith({ kind: 'd', rdomain: 'net.example' }, 20_781, 20_787);
    const body = await stats.get(admin, { scope: 'domain', domain: 'Example.TEST', days: 7 }, NOW);
    expect(store.days).toHaveBeenLastCalledWith({ kind: 'd', rdomain: 'test.example' }, 20_781, 20_787);
    expect(store.tops).toHaveBeenLastCalledWith({ kind: 'd', rdomain: 'test.example' }, 20_781 * DAY, 20_788 * DAY, 10_000);
    expect(body).toMatchObject({ domain: 'example.test', topSenders: [{ address: 'x@y.example', count: 3 }], topRecipients: [], topBasis: { copies: 7, limit: 10_000 } });
    await stats.get(root, { scope: 'site', days: 1 }, NOW);
    expect(store.days).toHaveBeenLastCalledWith({ kind: 's' }, 20_787, 20_787);
    await stats.get(root, { scope: 'domain', domain: 'other.test', days: 1 }, NOW);
    expect(store.days).toHaveBeenLastCalledWith({ kind: 'd', rdomain: 'test.other' }, 20_787, 20_787);
  });

  it('refuses, before reading anything, a scope the user may not see', async () => {
    const { stats, store } = service();
    const refused = (user: SessionUser, query: Parameters<typeof stats.get>[1]) =>
      stats.get(user, query, NOW).then(
        () => undefined,
        (err: { status: number; code: string }) => `${err.status} ${err.code}`,
      );
    expect(await refused(alice, { scope: 'domain', domain: 'example.test', days: 7 })).toBe('403 forbidden');
    expect(await refused(alice, { scope: 'site', days: 7 })).toBe('403 forbidden');
    expect(await refused(admin, { scope: 'domain', domain: 'other.test', days: 7 })).toBe('403 forbidden');
    expect(await refused(admin, { scope: 'site', days: 7 })).toBe('403 forbidden');
    expect(await refused(root, { scope: 'domain', days: 7 })).toBe('400 validation_failed');
    expect(await refused(alice, { scope: 'user', domain: 'example.test', days: 7 })).toBe('400 validation_failed');
    expect(store.days).not.toHaveBeenCalled();
  });

  it('says the rollup is not installed', async () => {
    const { stats, store } = service();
    store.days.mockResolvedValue(undefined);
    await expect(stats.get(alice, { scope: 'user', days: 7 }, NOW)).rejects.toMatchObject({ status: 503, code: 'stats_unavailable' });
  });
});
