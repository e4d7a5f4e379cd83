import * as chrono from 'chrono-node';
import { tokenize } from './transcript-tokens';

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
  /** No day was named ("next week"): the day is chrono's pick. */
  vague: boolean;
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

interface Reading {
  start: number;
  end: number;
  y: number;
  mo: number;
  d: number;
  dayCertain: boolean;
  /** null when no time of day was said. */
  h: number | null;
  mi: number;
  approximateTime: boolean;
  /** "next week", "sometime soon": chrono picks a day the caller never named. */
  vague: boolean;
}

const ORDINAL_WORDS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10, eleventh: 11, twelfth: 12, thirteenth: 13,
  fourteenth: 14, fifteenth: 15, sixteenth: 16, seventeenth: 17, eighteenth: 18, nineteenth: 19, twentieth: 20, thirtieth: 30,
};

const ORDINAL_FOLLOWERS = new Set(['at', 'in', 'or', 'and', 'would', 'works', 'is', 'if', 'please', 'around', 'then', 'maybe', 'morning', 'afternoon', 'evening', 'before', 'after', 'for', 'because', 'that', 'but', 'thanks', 'too', 'sometime', 'anytime']);

function readChrono(text: string, callStartedAt: Date, zone: string): Reading[] {
  const reference = { instant: callStartedAt, timezone: zoneOffsetMinutes(zone, callStartedAt) };
  let results: chrono.ParsedResult[];
  try {
    results = chrono.parse(text, reference, { forwardDate: true });
  } catch {
    return [];
  }
  const readings: Reading[] = [];
  for (const r of results) {
    const s = r.start;
    const lower = r.text.toLowerCase();
    const dayCertain = s.isCertain('day') || s.isCertain('weekday') || /\b(today|tomorrow|tonight)\b/.test(lower);
    // chrono reads a bare "now" or "five" as today; only dates and clock times a caller would give count
    if (!dayCertain && !s.isCertain('month') && !s.isCertain('hour') && !/\b(week|weekend)\b/.test(lower)) continue;
    const end = r.index + r.text.length;
    // "two weeks from today": the trailing "today" is the anchor of the phrase before, not a second date
    const previous = readings[readings.length - 1];
    if (previous && /^(today|now)$/.test(lower) && r.index - previous.end <= 6) continue;
    let h: number | null = s.isCertain('hour') ? (s.get('hour') ?? 12) : null;
    const mi = h !== null ? (s.get('minute') ?? 0) : 0;
    let approximateTime = false;
    if (h !== null && !s.isCertain('meridiem') && h >= 1 && h <= 6) h += 12; // "at 3" on a business call is 3 pm
    if (h === null) {
      const part = PARTS_OF_DAY.find((p) => lower.includes(p.word));
      if (part) {
        h = part.hour;
        approximateTime = true;
      }
    }
    readings.push({ start: r.index, end, y: s.get('year') ?? 0, mo: s.get('month') ?? 1, d: s.get('day') ?? 1, dayCertain: dayCertain || s.isCertain('month'), h, mi, approximateTime, vague: !s.isCertain('weekday') && /\b(week|weekend|month)$/.test(lower) });
  }
  return readings;
}

/**
 * "on the 15th", "Friday the 22nd", "the 15th at 2 pm": a day of the month without a month,
 * which chrono leaves out or reads as today. The next such day from the call (this month or
 * the next), merged with a weekday or time said next to it.
 */
function withOrdinalDays(text: string, readings: Reading[], callStartedAt: Date, zone: string): Reading[] {
  const tokens = tokenize(text);
  const out = [...readings];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const m = /^([0-9]{1,2})(st|nd|rd|th)$/.exec(t.norm);
    let day = m ? Number(m[1]) : (ORDINAL_WORDS[t.norm] ?? 0);
    if (!m && t.norm in ORDINAL_WORDS && (tokens[i - 1]?.norm === 'twenty' || tokens[i - 1]?.norm === 'thirty')) day += tokens[i - 1].norm === 'twenty' ? 20 : 30;
    if (day < 1 || day > 31) continue;
    // word ordinals only after "the" ("the fifth"); and an ordinal before a noun ("the first time",
    // "the 2nd floor") is not a day
    if (!m && tokens[i - 1]?.norm !== 'the' && tokens[i - 2]?.norm !== 'the') continue;
    const next = tokens[i + 1];
    if (next && !/[,.;:!?]/.test(next.gap) && !ORDINAL_FOLLOWERS.has(next.norm)) continue;
    if (out.some((r) => r.start <= t.start && r.end >= t.end && r.dayCertain && r.d === day)) continue;
    const local = new Date(callStartedAt.getTime() + zoneOffsetMinutes(zone, callStartedAt) * 60_000);
    let y = local.getUTCFullYear();
    let mo = local.getUTCMonth() + 1;
    if (day < local.getUTCDate()) {
      mo += 1;
      if (mo > 12) {
        mo = 1;
        y += 1;
      }
    }
    const startTok = tokens[i - 1]?.norm === 'twenty' || tokens[i - 1]?.norm === 'thirty' ? i - 1 : i;
    let start = tokens[startTok].start;
    let end = t.end;
    let h: number | null = null;
    let mi = 0;
    let approximateTime = false;
    // absorb a weekday before ("Friday the 22nd") and a time after ("the 15th at 2 pm")
    for (let k = out.length - 1; k >= 0; k--) {
      const r = out[k];
      const before = r.end <= start && start - r.end <= 6;
      const after = r.start >= end && r.start - end <= 8;
      const overlapping = r.start < end && r.end > start;
      if (!before && !after && !overlapping) continue;
      if (r.h !== null) {
        h = r.h;
        mi = r.mi;
        approximateTime = r.approximateTime;
      }
      start = Math.min(start, r.start);
      end = Math.max(end, r.end);
      out.splice(k, 1);
    }
    if (h === null) {
      // "the 21st in the morning": chrono does not read a part of the day on its own
      for (let k = i + 1; k < Math.min(tokens.length, i + 5); k++) {
        const part = PARTS_OF_DAY.find((p) => p.word === tokens[k].norm);
        if (part) {
          h = part.hour;
          approximateTime = true;
          end = Math.max(end, tokens[k].end);
          break;
        }
      }
    }
    out.push({ start, end, y, mo, d: day, dayCertain: true, h, mi, approximateTime, vague: false });
  }
  return out.sort((a, b) => a.start - b.start);
}

export function dateMentions(text: string, callStartedAt: Date, zone: string): DateMention[] {
  const readings = withOrdinalDays(text, readChrono(text, callStartedAt, zone), callStartedAt, zone);
  return readings.map((r) => {
    if (r.h === null) return { value: `${pad(r.y, 4)}-${pad(r.mo)}-${pad(r.d)}`, kind: 'date' as const, approximateTime: false, vague: r.vague, start: r.start, end: r.end };
    return { value: formatZoned(zonedInstant(zone, r.y, r.mo, r.d, r.h, r.mi), zone), kind: 'datetime' as const, approximateTime: r.approximateTime, vague: r.vague, start: r.start, end: r.end };
  });
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
