import { dailyHours, formatTime, summarizeWeeklyHours } from '../../core/generation/opening-hours-format';
import type { OpeningHours, Weekday } from '../../core/research/research-report';

const days = (list: Weekday[], opens: string, closes: string): OpeningHours[] => list.map((day) => ({ day, opens, closes }));
const WEEKDAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

describe('opening hours for callers', () => {
  it('formats 24-hour times as a caller says them', () => {
    expect(formatTime('08:00')).toBe('8:00 AM');
    expect(formatTime('12:30')).toBe('12:30 PM');
    expect(formatTime('17:05')).toBe('5:05 PM');
    expect(formatTime('00:00')).toBe('12:00 AM');
    expect(formatTime('24:00')).toBe('12:00 AM');
  });

  it('groups consecutive days with the same schedule and names missing days closed', () => {
    const hours = [...days(WEEKDAYS, '08:00', '17:00'), ...days(['saturday'], '09:00', '13:00')];
    expect(summarizeWeeklyHours(hours)).toBe('Monday–Friday 8:00 AM–5:00 PM; Saturday 9:00 AM–1:00 PM; Sunday closed');
  });

  it('handles split shifts, overnight hours, two-day runs and every-day schedules', () => {
    const restaurant = [
      ...days(['tuesday', 'wednesday', 'thursday'], '11:30', '14:00'),
      ...days(['tuesday', 'wednesday', 'thursday'], '17:00', '22:00'),
      ...days(['friday', 'saturday'], '17:00', '01:00'),
    ];
    expect(summarizeWeeklyHours(restaurant)).toBe(
      'Monday closed; Tuesday–Thursday 11:30 AM–2:00 PM and 5:00 PM–10:00 PM; Friday and Saturday 5:00 PM–1:00 AM; Sunday closed',
    );
    const all: Weekday[] = [...WEEKDAYS, 'saturday', 'sunday'];
    expect(summarizeWeeklyHours(days(all, '00:00', '23:59'))).toBe('Every day open 24 hours');
    expect(summarizeWeeklyHours(days(all, '07:00', '19:00'))).toBe('Every day 7:00 AM–7:00 PM');
  });

  it('reads 00:00–00:00 as closed, per schema.org', () => {
    const hours = [...days(WEEKDAYS, '09:00', '17:00'), ...days(['saturday'], '00:00', '00:00')];
    expect(dailyHours(hours).find((d) => d.day === 'saturday')?.schedule).toBe('closed');
  });
});
