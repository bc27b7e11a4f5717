import type { StatsDay, StatsResponse, StatsScope } from '../../shared/stats';
import { typeOfContent } from '../amavis/codes';
import type { StatsRow, TopRow } from '../amavis/stats-query';

const DAY = 86_400;
const rate = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 10_000) / 10_000 : 0);

/** The rollup's rows → every day of the period (oldest first, zeros included), totals, rates and the top lists. */
export function presentStats(input: {
  scope: StatsScope;
  domain?: string | undefined;
  fromDay: number;
  today: number;
  rows: StatsRow[];
  upTo: number;
  tops?: { copies: number; senders: TopRow[]; recipients: TopRow[] } | undefined;
  sampleLimit: number;
}): StatsResponse {
  const days = new Map<number, StatsDay>();
  for (let day = input.fromDay; day <= input.today; day++) {
    days.set(day, { day: new Date(day * DAY * 1000).toISOString().slice(0, 10), quarantined: {}, total: 0, released: 0, requested: 0, deleted: 0 });
  }
  for (const row of input.rows) {
    const day = days.get(row.day);
    if (!day) continue;
    // Mail of no known type (an MTA error, an unknown code) is in the day's total only.
    const type = typeOfContent(row.content);
    if (type !== 'other' && row.quarantined > 0) day.quarantined[type] = (day.quarantined[type] ?? 0) + row.quarantined;
    day.total += row.quarantined;
    day.released += row.released;
    day.requested += row.requested;
    day.deleted += row.deleted;
  }
  const list = [...days.values()];
  const sum = (pick: (d: StatsDay) => number) => list.reduce((n, d) => n + pick(d), 0);
  const totals = { quarantined: sum((d) => d.total), released: sum((d) => d.released), requested: sum((d) => d.requested), deleted: sum((d) => d.deleted) };
  return {
    scope: input.scope,
    ...(input.domain ? { domain: input.domain } : {}),
    days: list,
    totals,
    rates: {
      released: rate(totals.released, totals.quarantined),
      requested: rate(totals.requested, totals.quarantined),
      deleted: rate(totals.deleted, totals.quarantined),
    },
    ...(input.tops ? { topSenders: input.tops.senders, topRecipients: input.tops.recipients, topBasis: { copies: input.tops.copies, limit: input.sampleLimit } } : {}),
    upTo: new Date(input.upTo * 1000).toISOString(),
  };
}
