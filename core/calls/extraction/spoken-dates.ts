import * as chrono from 'chrono-node';

/**
 * Dates and times as callers say them ("next Thursday morning", "tomorrow at 3", "March 3rd
 * 1985"), resolved against the call's start in the business's time zone. chrono reads wall-clock
 * components against a fixed UTC offset; the offset of the day the caller means can differ from
 * the call's (a call on Friday about "Monday" across a DST change), so the components are turned
 * into an instant here with the zone's own offset for that wall time.
 */
export interface DateMention {
  /** "YYYY-MM-DD" for a date, or an ISO datetime with the zone's offset. */
  value: string;
  kind: 'date' | 'datetime';
  /** Only a part of the day was said ("morning"): the hour is our convention, not the caller's. */
  approximateTime: boolean;
  /** Offsets in the text. */
  start: number;
  end: number;
}

const PARTS_OF_DAY: { word: string; hour: number }[] = [
  // "afternoon" before "noon", which it contains
  { word: 'afternoon', hour: 14 },
  { word: 'morning', hour: 9 },
  { word: 'noon', hour: 12 },
  { word: 'lunch', hour: 12 },
  { word: 'evening', hour: 18 },
  { word: 'tonight', hour: 19 },
  { word: 'night', hour: 19 },
];

/** Minutes east of UTC of `zone` at `instant`, from Intl (so it follows the zone's DST rules). */
export function zoneOffsetMinutes(zone: string, instant: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The instant at which the wall clock in `zone` reads the given time (the later offset wins in a DST gap). */
export function zonedInstant(zone: string, y: number, mo: number, d: number, h: number, mi: number): Date {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let offset = zoneOffsetMinutes(zone, new Date(wall));
  // two passes settle the offset on either side of a transition
  for (let k = 0; k < 2; k++) offset = zoneOffsetMinutes(zone, new Date(wall - offset * 60_000));
  return new Date(wall - offset * 60_000);
}

function pad(n: number, width = 2): string {
  return String(Math.abs(n)).padStart(width, '0');
}

export function formatZoned(instant: Date, zone: string): string {
  const offset = zoneOffsetMinutes(zone, instant);
  const local = new Date(instant.getTime() + offset * 60_000);
  const sign = offset >= 0 ? '+' : '-';
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:00${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

export function dateMentions(text: string, callStartedAt: Date, zone: string): DateMention[] {
  const reference = { instant: callStartedAt, timezone: zoneOffsetMinutes(zone, callStartedAt) };
  let results: chrono.ParsedResult[];
  try {
    results = chrono.parse(text, reference, { forwardDate: true });
  } catch {
    return [];
  }
  const found: DateMention[] = [];
  for (const r of results) {
    const s = r.start;
    const lower = r.text.toLowerCase();
    // chrono reads a bare "now" or a lone hour as today; only dates a caller would give count
    if (!s.isCertain('day') && !s.isCertain('weekday') && !s.isCertain('month') && !/\b(today|tomorrow|tonight|week|weekend)\b/.test(lower)) {
      if (!s.isCertain('hour')) continue;
    }
    const y = s.get('year') ?? 0;
    const mo = s.get('month') ?? 1;
    const d = s.get('day') ?? 1;
    let hourKnown = s.isCertain('hour');
    let h = s.get('hour') ?? 12;
    const mi = hourKnown ? (s.get('minute') ?? 0) : 0;
    let approximateTime = false;
    if (hourKnown && !s.isCertain('meridiem') && h >= 1 && h <= 6) h += 12; // "at 3" on a business call is 3 pm
    if (!hourKnown) {
      const part = PARTS_OF_DAY.find((p) => lower.includes(p.word));
      if (part) {
        h = part.hour;
        hourKnown = true;
        approximateTime = true;
      }
    }
    const start = r.index;
    const end = r.index + r.text.length;
    if (!hourKnown) found.push({ value: `${pad(y, 4)}-${pad(mo)}-${pad(d)}`, kind: 'date', approximateTime: false, start, end });
    else found.push({ value: formatZoned(zonedInstant(zone, y, mo, d, h, mi), zone), kind: 'datetime', approximateTime, start, end });
  }
  return found;
}

/** The date part of an ISO date or datetime answer, validated; used to check an LLM's answer. */
export function normalizeIsoDate(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCMonth() === Number(m[2]) - 1 ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** An ISO datetime (with offset or Z) as the business's local time with offset, or a plain ISO date; null when unparseable. */
export function normalizeIsoDatetime(value: string, zone: string): string | null {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return normalizeIsoDate(v);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return null;
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(v);
  if (!hasOffset) {
    const [datePart, timePart] = v.split('T');
    const [y, mo, d] = datePart.split('-').map(Number);
    const [h, mi] = timePart.split(':').map(Number);
    if (normalizeIsoDate(datePart) === null || h > 23 || mi > 59) return null;
    return formatZoned(zonedInstant(zone, y, mo, d, h, mi), zone);
  }
  const instant = new Date(v);
  return Number.isNaN(instant.getTime()) ? null : formatZoned(instant, zone);
}
