// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '../../shared/session';
import type { StatsResponse } from '../../shared/stats';
import { fakeClient } from '../testing/fakes';
import { StatsView } from './stats-view';

const alice: SessionUser = { email: 'alice@example.test', role: 'user', addresses: ['alice@example.test'], domains: [] };
const admin: SessionUser = { email: 'admin@example.test', role: 'domain_admin', addresses: ['admin@example.test'], domains: ['example.test'] };
const zero = { released: 0, requested: 0, deleted: 0 };
const statsOf = (extra: Partial<StatsResponse> = {}): StatsResponse => ({
  scope: 'user',
  days: [
    { day: '2026-11-29', quarantined: {}, total: 0, ...zero },
    { day: '2026-11-30', quarantined: { spam: 3, banned: 1 }, total: 5, released: 2, requested: 1, deleted: 0 },
  ],
  totals: { quarantined: 5, released: 2, requested: 1, deleted: 0 },
  rates: { released: 0.4, requested: 0.2, deleted: 0 },
  upTo: '2026-11-30T12:00:00.000Z',
  ...extra,
});

describe('StatsView', () => {
  afterEach(cleanup);

  it('draws the chart with a title and a description, and has the same numbers in the table', async () => {
    const stats = vi.fn().mockResolvedValue(statsOf());
    render(<StatsView client={fakeClient({ stats })} user={alice} />);
    const chart = await screen.findByRole('img', { name: /Quarantined mail per day, by type/ });
    expect(stats).toHaveBeenCalledWith('user', 30);
    // Spam, blocked attachment and one of no known type, stacked in the day's bar.
    expect(chart.querySelectorAll('rect.aq-bar')).toHaveLength(3);
    expect(chart.querySelector('desc')?.textContent).toBe('Last 2 days: Quarantined 5, Released 2 (40%), Requested 1 (20%), Deleted 0 (0%)');
    const row = screen.getByRole('row', { name: /2026-11-30/ });
    expect(
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['3', '1', '1', '5', '2', '1', '0']);
    // A user chooses no scope and sees no top lists.
    expect(screen.queryByRole('combobox', { name: 'For' })).toBeNull();
    expect(screen.queryByText('Top senders')).toBeNull();
  });

  it('lets an admin choose a domain and the period, and shows the top lists', async () => {
    const stats = vi
      .fn()
      .mockResolvedValueOnce(statsOf())
      .mockResolvedValue(
        statsOf({
          scope: 'domain',
          domain: 'example.test',
          topSenders: [{ address: 'x@spam.example', count: 4 }],
          topRecipients: [],
          topBasis: { copies: 5, limit: 10_000 },
        }),
      );
    render(<StatsView client={fakeClient({ stats })} user={admin} />);
    fireEvent.change(await screen.findByRole('combobox', { name: 'For' }), { target: { value: 'example.test' } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Period' }), { target: { value: '7' } });
    await waitFor(() => expect(stats).toHaveBeenLastCalledWith('example.test', 7));
    expect((await screen.findByText('x@spam.example')).closest('li')?.textContent).toBe('x@spam.example 4');
  });
});
