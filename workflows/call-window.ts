// Pure and deterministic (Intl only, no clock): used by the batch workflow and unit-tested alone.

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** When calls may be placed: local wall-clock times in `timezone` on `days`. `end` ≤ `start` is an overnight window (22:00–06:00), owned by the day it opens. */
export interface CallWindow {
  timezone: string;
  days: Weekday[];
  /** "HH:MM", 24-hour. */
  start: string;
  end: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall clock in `timezone` at instant `t`, as if it were UTC (ms). */
function wallClock(t: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(t))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second);
}

/**
 * The instant at which the wall clock in `timezone` reads `wall` (a UTC-encoded local time).
 * A time skipped by a DST jump moves forward by the gap (02:30 → 03:30); a repeated one takes
 * the earlier instant — the "compatible" rule of RFC 5545 and Temporal.ZonedDateTime.
 */
export function zonedInstant(wall: number, timezone: string): number {
  const DAY = 86_400_000;
  // The zone's offsets a day either side: any transition near this wall time lies between them.
  const before = wallClock(wall - DAY, timezone) - (wall - DAY);
  const after = wallClock(wall + DAY, timezone) - (wall + DAY);
  const fits = [wall - before, wall - after].filter((t) => wallClock(t, timezone) === wall);
  if (fits.length) return Math.min(...fits);
  // In a gap: read with the offset from before the jump, which lands as far past it as the time was into it.
  return wall - before;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** True when `timezone` is an IANA zone this runtime knows. */
export function isTimeZone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first instant at or after `now` inside the window: `now` itself when it is inside, else the
 * next opening. Days are calendar days in the window's zone, so a 09:00 opening stays 09:00 local
 * across a DST change. A window needs at least one day.
 */
export function nextAllowedInstant(now: Date, window: CallWindow): Date {
  const days = new Set(window.days);
  if (days.size === 0) throw new Error('a calling window needs at least one day');
  const t = now.getTime();
  const local = new Date(wallClock(t, window.timezone));
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const overnight = end <= start;
  // Yesterday first: an overnight window opened yesterday may still be open.
  for (let offset = -1; offset <= 8; offset++) {
    const day = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + offset);
    if (!days.has(WEEKDAYS[new Date(day).getUTCDay()])) continue;
    const opens = zonedInstant(day + start * 60_000, window.timezone);
    const closes = zonedInstant(day + (overnight ? 24 * 60 : 0) * 60_000 + end * 60_000, window.timezone);
    if (closes > t && closes > opens) return new Date(Math.max(t, opens));
  }
  throw new Error('no opening within 8 days'); // unreachable with at least one day
}
