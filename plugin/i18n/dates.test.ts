import { describe, expect, it } from 'vitest';
import { dateFormatters } from './dates';

const iso = '2026-03-04T22:05:09Z';

describe('dateFormatters', () => {
  it('formats in the given time zone with PHP date() letters, as Roundcube passes them', () => {
    expect(dateFormatters('de', { timeZone: 'Europe/Berlin', dateFormat: 'd.m.Y', timeFormat: 'H:i' }).dateTime(iso)).toBe('04.03.2026 23:05');
    expect(dateFormatters('en', { timeZone: 'Asia/Tokyo', dateFormat: 'Y-m-d', timeFormat: 'g:i a' }).dateTime(iso)).toBe('2026-03-05 7:05 am');
    expect(dateFormatters('en', { timeZone: 'America/New_York', dateFormat: 'D, j M y', timeFormat: 'h:i:s A' }).dateTime(iso)).toBe('Wed, 4 Mar 26 05:05:09 PM');
    expect(dateFormatters('de', { timeZone: 'UTC', dateFormat: 'l, \\d\\e\\n j. F', timeFormat: 'H:i' }).dateTime(iso)).toBe('Mittwoch, den 4. März 22:05');
  });

  it('uses the locale’s formats without them, 24 h in German and French', () => {
    expect(dateFormatters('de', { timeZone: 'UTC' }).dateTime(iso)).toMatch(/22:05$/);
    expect(dateFormatters('fr', { timeZone: 'UTC' }).dateTime(iso)).toMatch(/22:05$/);
  });

  it('ignores a time zone the browser does not know', () => {
    expect(dateFormatters('en', { timeZone: 'Mars/Olympus', dateFormat: 'Y', timeFormat: 'H' }).dateTime(iso)).toMatch(/^2026 \d\d$/);
  });

  it('shows the time alone for today, in the zone', () => {
    const now = new Date().toISOString();
    expect(dateFormatters('de', { timeZone: 'UTC', dateFormat: 'd.m.Y', timeFormat: 'H:i' }).date(now)).toMatch(/^\d\d:\d\d$/);
  });
});
