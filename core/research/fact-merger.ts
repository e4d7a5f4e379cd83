import type { Candidate } from './page-facts';
import type { ExtractionMethod, SourcedFact } from './research-report';

/**
 * How much we trust each extraction method. Structured data is the business stating the fact on
 * purpose; a phone number matched in running text might be a partner's or a fax.
 */
const METHOD_TRUST: Record<ExtractionMethod, number> = {
  'json-ld': 0,
  microdata: 1,
  meta: 2,
  table: 3,
  list: 4,
  link: 5,
  heading: 6,
  text: 7,
};

function compare<T>(a: { c: Candidate<T>; i: number }, b: { c: Candidate<T>; i: number }): number {
  return METHOD_TRUST[a.c.method] - METHOD_TRUST[b.c.method] || (a.c.rank ?? 0) - (b.c.rank ?? 0) || a.i - b.i;
}

function strip<T>(c: Candidate<T>): SourcedFact<T> {
  return { value: c.value, source_url: c.source_url, method: c.method };
}

/** The single most trustworthy candidate; ties go to the earlier page (home first). */
export function pickBest<T>(candidates: Candidate<T>[]): SourcedFact<T> | undefined {
  const best = candidates.map((c, i) => ({ c, i })).sort(compare)[0];
  return best ? strip(best.c) : undefined;
}

/**
 * One fact per distinct value (by `key`), the most trusted version of each; structured-data facts
 * come first, then the rest in the order the pages were crawled.
 */
export function mergeDistinct<T>(candidates: Candidate<T>[], key: (value: T) => string, limit: number): SourcedFact<T>[] {
  const chosen = new Map<string, { c: Candidate<T>; i: number }>();
  candidates.forEach((c, i) => {
    const k = key(c.value);
    if (!k) return;
    const current = chosen.get(k);
    if (!current || compare({ c, i }, current) < 0) chosen.set(k, { c, i });
  });
  const structured = (m: ExtractionMethod) => (m === 'json-ld' || m === 'microdata' ? 0 : 1);
  return [...chosen.values()]
    .sort((a, b) => structured(a.c.method) - structured(b.c.method) || a.i - b.i)
    .slice(0, limit)
    .map((e) => strip(e.c));
}

/** Case, punctuation and spacing differences do not make two facts different. */
export function textKey(value: string): string {
  return value
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
