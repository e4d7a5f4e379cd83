import type { OpeningHours, Weekday } from './research-report';

/**
 * Opening hours as people and schema.org write them, normalised to 24-hour "HH:MM" per weekday.
 * Handles "Monday 8:00 AM – 5:00 PM", "Mon–Fri: 9am-6pm", "Sat & Sun: Closed", "Weekdays 8-5",
 * "11am–2pm, 5pm–10pm" (split shifts) and schema.org's "Mo-Fr 08:00-17:00".
 */
export const WEEKDAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export interface ParsedHours {
  entries: OpeningHours[];
  /** Days explicitly said to be closed; absent from `entries`. */
  closed: Weekday[];
}

const LONG_DAY = String.raw`(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)`;
// Two-letter forms only in schema.org strings: in prose "we", "sa" or "th" are ordinary words.
const SCHEMA_DAY = String.raw`(?:${LONG_DAY}|mo|tu|we|th|fr|sa|su)`;
const RANGE_SEP = String.raw`\s*(?:-|–|—|to|thru|through|until)\s*`;
const LIST_SEP = String.raw`\s*(?:,|&|\+|/|and)\s*`;
const SPECIAL_DAYS = String.raw`(?:weekdays|weekends|daily|every\s?day|(?:7|seven) days(?: a week)?)`;

function dayGroupRegex(day: string): RegExp {
  const oneDay = String.raw`\b${day}\b\.?`;
  const item = String.raw`(?:${SPECIAL_DAYS}|${oneDay}(?:${RANGE_SEP}${oneDay})?)`;
  return new RegExp(String.raw`${item}(?:${LIST_SEP}${item})*`, 'gi');
}

const PROSE_DAY_GROUP = dayGroupRegex(LONG_DAY);
const SCHEMA_DAY_GROUP = dayGroupRegex(SCHEMA_DAY);
const ANY_DAY = new RegExp(String.raw`\b${SCHEMA_DAY}\b`, 'gi');

const TIME = String.raw`(?:noon|midnight|(?<![\d:$.,])\d{1,2}(?:[:.h]\d{2})?(?:\s*(?:a\.?\s?m\.?|p\.?\s?m\.?|a|p)(?![a-z]))?(?!\d))`;
// "2-3 weeks" or "10-12 guests" next to a weekday is a quantity, not a schedule.
const NOT_A_QUANTITY = String.raw`(?!\s*(?:weeks?|days?|months?|years?|yrs?|minutes?|mins?|people|persons?|guests?|%|percent|times?|visits?|miles?|km)(?![a-z]))`;
const TIME_RANGE_SOURCE = String.raw`(${TIME})\s*(?:-|–|—|to|until|till|thru)\s*(${TIME})${NOT_A_QUANTITY}`;
const HAS_TIME_RANGE = new RegExp(TIME_RANGE_SOURCE, 'i');
const TIME_PARTS = /^(\d{1,2})(?:[:.h](\d{2}))?\s*(a|p)?/i;
const CLOSED = /\bclosed\b/i;
const ALL_DAY = /\b(?:open\s+)?24\s*(?:hours|hrs|h\b|\/\s*7)|\ball day\b/i;

export function parseHoursText(text: string, options: { schemaAbbreviations?: boolean } = {}): ParsedHours {
  const groupRegex = options.schemaAbbreviations ? SCHEMA_DAY_GROUP : PROSE_DAY_GROUP;
  const groups = [...text.matchAll(new RegExp(groupRegex.source, groupRegex.flags))];
  const entries: OpeningHours[] = [];
  const closed = new Set<Weekday>();
  groups.forEach((group, i) => {
    const days = expandDayGroup(group[0]);
    if (days.length === 0) return;
    const segmentEnd = i + 1 < groups.length ? groups[i + 1].index : text.length;
    let segment = text.slice(group.index + group[0].length, segmentEnd);
    // "9am–5pm Monday to Friday": the times come first.
    if (i === 0 && !HAS_TIME_RANGE.test(segment) && !CLOSED.test(segment)) segment = `${text.slice(0, group.index)} ${segment}`;
    const ranges = timeRanges(segment);
    if (ranges.length > 0) {
      for (const day of days) for (const r of ranges) entries.push({ day, ...r });
    } else if (CLOSED.test(segment)) {
      days.forEach((d) => closed.add(d));
    } else if (ALL_DAY.test(segment)) {
      for (const day of days) entries.push({ day, opens: '00:00', closes: '23:59' });
    }
  });
  const normalised = normaliseHours(entries);
  const open = new Set(normalised.map((e) => e.day));
  return { entries: normalised, closed: WEEKDAYS.filter((d) => closed.has(d) && !open.has(d)) };
}

/** True when the text names at least one weekday; used to pair a "Monday" cell with its "9–5" neighbour. */
export function mentionsDay(text: string): boolean {
  return new RegExp(PROSE_DAY_GROUP.source, 'i').test(text);
}

export function mentionsTimes(text: string): boolean {
  return HAS_TIME_RANGE.test(text) || CLOSED.test(text) || ALL_DAY.test(text);
}

/** schema.org `openingHours`: "Mo-Fr 08:00-17:00", "Tu,Th 09:00-12:00", or several of those in one string. */
export function parseSchemaOpeningHours(value: string): OpeningHours[] {
  return parseHoursText(value, { schemaAbbreviations: true }).entries;
}

/** schema.org OpeningHoursSpecification, with days as names ("Monday") or URLs ("https://schema.org/Monday"). */
export function hoursFromSpecification(spec: { days: string[]; opens?: string; closes?: string }): OpeningHours[] {
  const opens = spec.opens ? normaliseClock(spec.opens) : null;
  const closes = spec.closes ? normaliseClock(spec.closes) : null;
  if (!opens || !closes) return [];
  // schema.org's own convention for "closed all day".
  if (opens === '00:00' && closes === '00:00') return [];
  const days = spec.days.map((d) => dayFromToken(d.replace(/^.*[/#:]/, ''))).filter((d): d is Weekday => d !== null);
  return days.map((day) => ({ day, opens, closes }));
}

export function normaliseHours(entries: OpeningHours[]): OpeningHours[] {
  const unique = new Map<string, OpeningHours>();
  for (const e of entries) unique.set(`${e.day} ${e.opens} ${e.closes}`, e);
  return [...unique.values()].sort((a, b) => WEEKDAYS.indexOf(a.day) - WEEKDAYS.indexOf(b.day) || a.opens.localeCompare(b.opens));
}

export function dayFromToken(token: string): Weekday | null {
  const t = token.trim().toLowerCase();
  if (!new RegExp(String.raw`^${SCHEMA_DAY}\.?$`, 'i').test(t)) return null;
  const byPrefix: Record<string, Weekday> = { mo: 'monday', tu: 'tuesday', we: 'wednesday', th: 'thursday', fr: 'friday', sa: 'saturday', su: 'sunday' };
  return byPrefix[t.slice(0, 2)] ?? null;
}

function expandDayGroup(group: string): Weekday[] {
  const lower = group.toLowerCase();
  if (/weekdays/.test(lower)) return WEEKDAYS.slice(0, 5).concat(expandDayGroup(lower.replace(/weekdays/g, '')));
  if (/weekends/.test(lower)) return ['saturday', 'sunday', ...expandDayGroup(lower.replace(/weekends/g, ''))];
  if (/daily|every\s?day|(?:7|seven) days/.test(lower)) return [...WEEKDAYS];
  const days = new Set<Weekday>();
  for (const item of lower.split(new RegExp(LIST_SEP, 'i'))) {
    const tokens = [...item.matchAll(new RegExp(ANY_DAY.source, 'gi'))].map((m) => dayFromToken(m[0])).filter((d): d is Weekday => d !== null);
    if (tokens.length === 2 && new RegExp(RANGE_SEP, 'i').test(item)) dayRange(tokens[0], tokens[1]).forEach((d) => days.add(d));
    else tokens.forEach((d) => days.add(d));
  }
  return WEEKDAYS.filter((d) => days.has(d));
}

/** Inclusive, wrapping past Sunday ("Fr-Mo"). */
function dayRange(from: Weekday, to: Weekday): Weekday[] {
  const start = WEEKDAYS.indexOf(from);
  const length = ((WEEKDAYS.indexOf(to) - start + 7) % 7) + 1;
  return Array.from({ length }, (_, i) => WEEKDAYS[(start + i) % 7]);
}

interface Clock {
  hour: number;
  minute: number;
  meridiem: 'a' | 'p' | null;
}

function timeRanges(segment: string): { opens: string; closes: string }[] {
  const ranges: { opens: string; closes: string }[] = [];
  for (const match of segment.matchAll(new RegExp(TIME_RANGE_SOURCE, 'gi'))) {
    const open = readClock(match[1]);
    const close = readClock(match[2]);
    if (!open || !close) continue;
    const resolved = resolveMeridiems(open, close);
    if (resolved) ranges.push(resolved);
  }
  return ranges;
}

function readClock(raw: string): Clock | null {
  const text = raw.trim().toLowerCase();
  if (text === 'noon') return { hour: 12, minute: 0, meridiem: 'p' };
  if (text === 'midnight') return { hour: 12, minute: 0, meridiem: 'a' };
  const m = TIME_PARTS.exec(text.replace(/\./g, (_dot, offset: number) => (/\d/.test(text[offset + 1] ?? '') ? ':' : '')));
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = m[2] ? Number(m[2]) : 0;
  const meridiem = (m[3]?.toLowerCase() as 'a' | 'p' | undefined) ?? null;
  if (minute > 59 || hour > 24 || (meridiem && (hour === 0 || hour > 12))) return null;
  return { hour, minute, meridiem };
}

function to24(c: Clock, meridiem: 'a' | 'p' | null): number {
  if (meridiem === null) return c.hour % 24;
  if (meridiem === 'a') return c.hour % 12;
  return (c.hour % 12) + 12;
}

/**
 * Fills in the am/pm people leave out: "9-5" is 09:00-17:00, "9-5pm" too, "1-5pm" is 13:00-17:00,
 * "5-10" at a restaurant is 17:00-22:00. A close before the open is kept (it means past midnight).
 */
function resolveMeridiems(open: Clock, close: Clock): { opens: string; closes: string } | null {
  const is24h = (c: Clock) => c.meridiem === null && (c.hour > 12 || c.hour === 0);
  let opens: number;
  let closes: number;
  if (open.meridiem && close.meridiem) {
    opens = to24(open, open.meridiem);
    closes = to24(close, close.meridiem);
  } else if (is24h(open) || is24h(close)) {
    opens = to24(open, null);
    closes = to24(close, null);
  } else if (close.meridiem) {
    closes = to24(close, close.meridiem);
    const same = to24(open, close.meridiem);
    opens = same < closes ? same : to24(open, close.meridiem === 'a' ? 'p' : 'a');
  } else if (open.meridiem) {
    opens = to24(open, open.meridiem);
    const same = to24(close, open.meridiem);
    closes = same > opens ? same : to24(close, open.meridiem === 'a' ? 'p' : 'a');
  } else {
    // No meridiem anywhere: business hours start in the morning unless the number says afternoon.
    opens = open.hour >= 6 ? open.hour : open.hour + 12;
    closes = close.hour;
    if (closes <= opens && close.hour + 12 > opens && close.hour < 12) closes = close.hour + 12;
  }
  if (opens === closes && open.minute === close.minute) return null;
  return { opens: clock(opens, open.minute), closes: clock(closes, close.minute) };
}

function clock(hour: number, minute: number): string {
  return `${String(hour % 24).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** "8:00", "08:00:00", "0800", "8:00 PM" → "HH:MM". */
export function normaliseClock(raw: string): string | null {
  const text = raw.trim().toLowerCase();
  const compact = /^(\d{2})(\d{2})$/.exec(text);
  const c = compact ? { hour: Number(compact[1]), minute: Number(compact[2]), meridiem: null } : readClock(text);
  if (!c || c.hour > 24 || c.minute > 59) return null;
  return clock(to24(c, c.meridiem), c.minute);
}
