/**
 * How the webmail user reads dates: a time zone (IANA, e.g. "Europe/Berlin") and date and time formats in
 * PHP date() letters, as Roundcube stores them (date_format "d.m.Y", time_format "H:i"). Unset: the
 * browser's zone and the locale's own formats (24 h in de and fr).
 */
export interface DateOptions {
  timeZone?: string | undefined;
  dateFormat?: string | undefined;
  timeFormat?: string | undefined;
}

type Parts = Record<string, string>;

/** The date's fields in the time zone, numbers unpadded; names in the locale. */
const partsIn = (locale: string, timeZone: string | undefined) => {
  const numeric = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const names = new Intl.DateTimeFormat(locale, { timeZone, month: 'long', weekday: 'long' });
  const short = new Intl.DateTimeFormat(locale, { timeZone, month: 'short', weekday: 'short' });
  const fields = (format: Intl.DateTimeFormat, d: Date) => Object.fromEntries(format.formatToParts(d).map((p) => [p.type, p.value]));
  return (d: Date): Parts => {
    const n = fields(numeric, d);
    const long = fields(names, d);
    const abbr = fields(short, d);
    return { ...n, hour: String(Number(n.hour) % 24), F: long.month ?? '', l: long.weekday ?? '', M: abbr.month ?? '', D: abbr.weekday ?? '' };
  };
};

const pad = (s: string | undefined) => (s ?? '').padStart(2, '0');

/** Formats in PHP date() letters (d j m n Y y F M l D H G h g i s A a); a backslash quotes a letter. */
const php = (format: string, p: Parts) => {
  const h = Number(p.hour);
  const letters: Record<string, string> = {
    d: pad(p.day),
    j: p.day ?? '',
    m: pad(p.month),
    n: p.month ?? '',
    Y: p.year ?? '',
    y: (p.year ?? '').slice(-2),
    F: p.F ?? '',
    M: p.M ?? '',
    l: p.l ?? '',
    D: p.D ?? '',
    H: pad(p.hour),
    G: String(h),
    h: pad(String(h % 12 || 12)),
    g: String(h % 12 || 12),
    i: pad(p.minute),
    s: pad(p.second),
    A: h < 12 ? 'AM' : 'PM',
    a: h < 12 ? 'am' : 'pm',
  };
  return format.replace(/\\(.)|(.)/g, (_, quoted: string | undefined, c: string) => quoted ?? letters[c] ?? c);
};

/** The two date formatters: the full date and time, and the list's short form (the time alone for today). */
export function dateFormatters(locale: string, options: DateOptions = {}) {
  // A zone the browser does not know must not break the widget: the browser's own then.
  let timeZone = options.timeZone || undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    timeZone = undefined;
  }
  const parts = partsIn(locale, timeZone);
  // The browser's own variant of the language (en-GB: 24 h), and 24 h in de and fr.
  const region = typeof navigator !== 'undefined' && navigator.language?.split('-')[0] === locale ? navigator.language : locale;
  const cycle = locale === 'en' ? {} : { hourCycle: 'h23' as const };
  const intlDate = new Intl.DateTimeFormat(region, { timeZone, dateStyle: 'medium' });
  const intlTime = new Intl.DateTimeFormat(region, { timeZone, hour: '2-digit', minute: '2-digit', ...cycle });
  const day = (d: Date) => {
    const p = parts(d);
    return `${p.year}-${p.month}-${p.day}`;
  };
  const datePart = (d: Date) => (options.dateFormat ? php(options.dateFormat, parts(d)) : intlDate.format(d));
  const timePart = (d: Date) => (options.timeFormat ? php(options.timeFormat, parts(d)) : intlTime.format(d));
  return {
    dateTime: (iso: string) => {
      const d = new Date(iso);
      return `${datePart(d)} ${timePart(d)}`;
    },
    date: (iso: string) => {
      const d = new Date(iso);
      return day(d) === day(new Date()) ? timePart(d) : `${datePart(d)} ${timePart(d)}`;
    },
  };
}
