/**
 * Every time in the console is shown in Asia/Taipei, whatever the browser's zone: the directions' duties are
 * counted in Taiwan's calendar, and an auditor reading a log abroad must see the same day the firm saw.
 */
export const displayTimeZone = 'Asia/Taipei';

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (f === undefined) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: displayTimeZone });
    cache.set(key, f);
  }
  return f;
}

/** An ISO-8601 instant as a date and time in Taipei, e.g. "2026/12/7 下午2:05" in zh-TW. */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return formatter(locale, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(date);
}

/**
 * A calendar date (YYYY-MM-DD, already a Taipei date in the contracts) in the reader's language. It is read at
 * Taipei midnight so that no zone shift can move it to the day before.
 */
export function formatDate(day: string | null | undefined, locale: string): string {
  if (day === null || day === undefined || day === '') return '—';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return formatDateTime(day, locale);
  return formatter(locale, { dateStyle: 'medium' }).format(new Date(`${day}T00:00:00+08:00`));
}

/** Short day label for chart axes, e.g. "12/07". */
export function formatShortDay(iso: string, locale: string): string {
  return formatter(locale, { month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/** A Taipei calendar day as an instant for a period filter: the start (or end) of that day at UTC+8. */
export function taipeiDayBound(day: string, end: boolean): string | undefined {
  if (day === '') return undefined;
  return `${day}T${end ? '23:59:59.999' : '00:00:00.000'}+08:00`;
}
