import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, taipeiDayBound } from './taipei-time.ts';

describe('times shown in Asia/Taipei', () => {
  it('shows an instant late in the UTC day as the next Taipei day', () => {
    // 16:30 UTC is 00:30 the next day in Taipei (UTC+8).
    expect(formatDateTime('2026-03-31T16:30:00.000Z', 'en')).toContain('Apr 1, 2026');
    expect(formatDateTime('2026-03-31T16:30:00.000Z', 'en')).toContain('00:30');
  });

  it('keeps a calendar date on its day in Traditional Chinese', () => {
    expect(formatDate('2026-03-31', 'zh-TW')).toBe('2026年3月31日');
  });

  it('shows a dash for a missing value', () => {
    expect(formatDate(null, 'en')).toBe('—');
    expect(formatDateTime(undefined, 'zh-TW')).toBe('—');
  });
});

describe('period filters', () => {
  it('cover the whole Taipei day, which starts at 16:00 UTC the day before', () => {
    const from = taipeiDayBound('2026-12-07', false);
    const to = taipeiDayBound('2026-12-07', true);
    expect(from === undefined ? null : new Date(from).toISOString()).toBe('2026-12-06T16:00:00.000Z');
    expect(to === undefined ? null : new Date(to).toISOString()).toBe('2026-12-07T15:59:59.999Z');
    expect(taipeiDayBound('', false)).toBeUndefined();
  });
});
