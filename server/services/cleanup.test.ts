import { describe, expect, it } from 'vitest';
import type { RecipientGroup } from '../amavis/cleanup-sql';
import { cleanupCutoffs } from './cleanup';
import { fateOfRecipientGroup } from './cleanup-messages';
import { STATS_MARGIN_DAYS, statsKeptFromDay } from './cleanup-stats';
import { MAX_STATS_DAYS } from './stats';

describe('fateOfRecipientGroup', () => {
  const cutoff = 1_000_000;
  const quarantined: RecipientGroup = { time_num: cutoff + 10, content: 'S', quar_type: 'Q', rows: 2, open: 0 };

  it('removes quarantined mail once every recipient row is deleted', () => {
    expect(fateOfRecipientGroup(quarantined, cutoff)).toBe('all-deleted');
  });

  it('keeps it while one recipient has not deleted it', () => {
    expect(fateOfRecipientGroup({ ...quarantined, open: 1 }, cutoff)).toBe('keep');
  });

  it('never touches mail amavisd is still processing (content NULL)', () => {
    expect(fateOfRecipientGroup({ ...quarantined, content: null }, cutoff)).toBe('keep');
  });

  it('leaves mail that was not quarantined in SQL, and expired mail (the time walk takes it)', () => {
    expect(fateOfRecipientGroup({ ...quarantined, quar_type: '' }, cutoff)).toBe('keep');
    expect(fateOfRecipientGroup({ ...quarantined, time_num: cutoff - 1 }, cutoff)).toBe('keep');
  });

  it('calls recipient rows without a msgs row orphans', () => {
    expect(fateOfRecipientGroup({ time_num: null, content: null, quar_type: null, rows: 3, open: 3 }, cutoff)).toBe('orphan');
  });
});

describe('cleanupCutoffs', () => {
  it('counts whole days back from now, in seconds for msgs.time_num', () => {
    const now = new Date('2026-03-15T12:00:00.500Z');
    const { messages, audit } = cleanupCutoffs(now, 14, 365);
    expect(new Date(messages * 1000).toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(audit.toISOString()).toBe('2025-03-15T12:00:00.500Z');
  });
});

describe('statsKeptFromDay', () => {
  it('keeps the longest period GET /api/stats shows, and a week more', () => {
    const now = new Date('2026-03-15T23:59:59.999Z');
    const today = Math.floor(now.getTime() / 86_400_000);
    const oldestShown = today - MAX_STATS_DAYS + 1;
    expect(statsKeptFromDay(now)).toBe(oldestShown - STATS_MARGIN_DAYS);
    expect(new Date(statsKeptFromDay(now) * 86_400_000).toISOString().slice(0, 10)).toBe('2025-12-09');
    // The same day at its first millisecond: the day number, not the time of day, decides.
    expect(statsKeptFromDay(new Date('2026-03-15T00:00:00.000Z'))).toBe(statsKeptFromDay(now));
  });
});
