import type { OpeningHours, Weekday } from '../research/research-report';

export const WEEK: readonly Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_NAMES: Record<Weekday, string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};

export function dayName(day: Weekday): string {
  return DAY_NAMES[day];
}

/** "08:00" → "8:00 AM", "12:30" → "12:30 PM", "00:00" and "24:00" → "12:00 AM" (midnight). */
export function formatTime(hhmm: string): string {
  const [h = 0, m = 0] = hhmm.split(':').map(Number);
  const hour = h % 24;
  const suffix = hour < 12 ? 'AM' : 'PM';
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  return `${twelve}:${String(m).padStart(2, '0')} ${suffix}`;
}

/**
 * One day's schedule as a caller would say it. Follows the schema.org/Google conventions:
 * 00:00–23:59 (or 24:00) is open all day, and 00:00–00:00 marks a day closed.
 */
function daySchedule(entries: OpeningHours[]): string {
  const open = entries.filter((e) => !(e.opens === '00:00' && e.closes === '00:00'));
  if (open.length === 0) return 'closed';
  if (open.some((e) => e.opens === '00:00' && (e.closes === '23:59' || e.closes === '24:00'))) return 'open 24 hours';
  return [...open]
    .sort((a, b) => a.opens.localeCompare(b.opens))
    .map((e) => `${formatTime(e.opens)}–${formatTime(e.closes)}`)
    .join(' and ');
}

/** Every day of the week with its schedule; a day the site did not list is closed, as in schema.org. */
export function dailyHours(hours: OpeningHours[]): { day: Weekday; name: string; schedule: string }[] {
  return WEEK.map((day) => ({ day, name: dayName(day), schedule: daySchedule(hours.filter((h) => h.day === day)) }));
}

/**
 * The week in one line, consecutive days with the same schedule grouped:
 * "Monday–Friday 8:00 AM–5:00 PM; Saturday 9:00 AM–1:00 PM; Sunday closed".
 */
export function summarizeWeeklyHours(hours: OpeningHours[]): string {
  const days = dailyHours(hours);
  const runs: { from: number; to: number; schedule: string }[] = [];
  days.forEach((d, i) => {
    const last = runs[runs.length - 1];
    if (last && last.schedule === d.schedule && last.to === i - 1) last.to = i;
    else runs.push({ from: i, to: i, schedule: d.schedule });
  });
  const only = runs[0];
  if (runs.length === 1 && only) return `Every day ${only.schedule}`;
  return runs
    .map((r) => {
      const from = days[r.from]?.name ?? '';
      const to = days[r.to]?.name ?? '';
      const label = r.from === r.to ? from : r.to === r.from + 1 ? `${from} and ${to}` : `${from}–${to}`;
      return `${label} ${r.schedule}`;
    })
    .join('; ');
}
