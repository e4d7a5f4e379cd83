import { mentionsDay, mentionsTimes, normaliseHours, parseHoursText } from './opening-hours-parser';
import type { FoundFacts } from './page-facts';
import type { OutlineBlock } from './page-outline';
import type { ParsedPage } from './parsed-page';
import type { OpeningHours, Weekday } from './research-report';

type HoursMethod = 'table' | 'list' | 'text';

/**
 * Holiday, seasonal and after-hours schedules are exceptions to the week, not the week ("emergency
 * repairs are available 24 hours a day, 7 days a week" is not the office's opening hours). Stems
 * are spelt out: a trailing \b after "emergenc" would never match "emergency".
 */
const EXCEPTIONAL =
  /\b(holidays?|thanksgiving|christmas|new year|seasonal|summer hours|winter hours|emergenc(?:y|ies)|after[- ]hours|special hours|on[- ]call|around the clock)\b/i;

/**
 * Opening hours written in the page: table rows, list items (including dt/dd pairs) and lines of
 * text. A cell or element naming only days is paired with the next one naming only times, which
 * is how most "Monday | 8–5" grids are built. Each method yields one candidate per page; the one
 * covering the most days wins among equals.
 */
export function extractHours(page: ParsedPage, into: FoundFacts): void {
  const lines = hourLines(page.outline);
  const found = new Map<HoursMethod, { entries: OpeningHours[]; closed: Set<Weekday> }>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let text = line.text;
    let method = line.method;
    const next = lines[i + 1];
    if (next && mentionsDay(text) && !mentionsTimes(text) && mentionsTimes(next.text) && !mentionsDay(next.text)) {
      text = `${text} ${next.text}`;
      method = strongest(method, next.method);
      i++;
    }
    const parsed = parseHoursText(text);
    if (parsed.entries.length === 0 && parsed.closed.length === 0) continue;
    const bucket = found.get(method) ?? { entries: [], closed: new Set<Weekday>() };
    bucket.entries.push(...parsed.entries);
    parsed.closed.forEach((d) => bucket.closed.add(d));
    found.set(method, bucket);
  }
  for (const [method, { entries, closed }] of found) {
    const hours = normaliseHours(entries);
    if (hours.length === 0) continue;
    const covered = new Set<Weekday>([...hours.map((h) => h.day), ...closed]);
    into.hours.push({ value: hours, source_url: page.url, method, rank: -covered.size });
  }
}

function hourLines(outline: OutlineBlock[]): { text: string; method: HoursMethod }[] {
  const lines: { text: string; method: HoursMethod }[] = [];
  for (const block of outline) {
    if (block.landmark === 'nav' || block.within.form) continue;
    if (block.headings.some((h) => EXCEPTIONAL.test(h.text))) continue;
    const method: HoursMethod =
      block.tag === 'tr' || block.within.table ? 'table' : block.within.list || block.within.dl || ['li', 'dt', 'dd'].includes(block.tag) ? 'list' : 'text';
    for (const text of block.lines) if (!EXCEPTIONAL.test(text)) lines.push({ text, method });
  }
  return lines;
}

function strongest(a: HoursMethod, b: HoursMethod): HoursMethod {
  const order: HoursMethod[] = ['table', 'list', 'text'];
  return order[Math.min(order.indexOf(a), order.indexOf(b))];
}
