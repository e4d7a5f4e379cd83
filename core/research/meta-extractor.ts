import type { FoundFacts } from './page-facts';
import { collapse } from './page-outline';
import type { ParsedPage } from './parsed-page';

/**
 * Name and description from what the site says about itself in <head> (Open Graph, meta
 * description, <title>) and in its copyright line. Only trusted on the home page: a services
 * page's title is about the services.
 */
const GENERIC_TITLE_PART = /^(home|homepage|home page|welcome|index|official site|official website|main)$/i;
/** Meta tags are summaries; an attribute longer than this is not one. */
const MAX_META_CHARS = 2_000;
const TITLE_SEPARATOR = /\s+[|–—•·:-]\s+|\s*\|\s*/;

export function extractMeta(page: ParsedPage, into: FoundFacts): void {
  const { $ } = page;
  const meta = (selector: string) => collapse(($(selector).first().attr('content') ?? '').slice(0, MAX_META_CHARS));
  const fact = (value: string, method: 'meta' | 'heading' | 'text') => ({ value, source_url: page.url, method });

  const description = meta('meta[property="og:description"]') || meta('meta[name="description" i]');
  if (description && page.kind === 'home') into.description.push(fact(description, 'meta'));
  if (page.kind !== 'home') return;

  const siteName = meta('meta[property="og:site_name"]') || meta('meta[name="application-name" i]');
  if (siteName) into.name.push(fact(siteName, 'meta'));

  const holder = copyrightHolder(page);
  const segments = (page.title ?? '')
    .split(TITLE_SEPARATOR)
    .map((s) => s.trim())
    .filter((s) => s.length > 1 && !GENERIC_TITLE_PART.test(s));
  // The title segment that matches the copyright holder is the name; otherwise the holder is.
  const matching = holder ? segments.find((s) => sameName(s, holder)) : undefined;
  if (matching) into.name.push(fact(matching, 'heading'));
  else if (holder) into.name.push(fact(holder, 'text'));
  else if (segments.length > 0) into.name.push(fact(segments[0], 'heading'));
}

function copyrightHolder(page: ParsedPage): string | undefined {
  for (const block of [...page.outline].reverse()) {
    const match = /(?:©|&copy;|\(c\)|copyright)\s*(?:\d{4}\s*(?:[-–]\s*\d{4})?\s*)?(?:by\s+)?([^.|,©]{2,80}?)(?:\.|,|\||\s+all rights|\s+-|$)/i.exec(block.text);
    if (match) {
      const name = match[1].replace(/^\d{4}\s*/, '').trim();
      if (name && !/^\d+$/.test(name)) return name;
    }
  }
  return undefined;
}

function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').replace(/\b(llc|inc|ltd|pllc|pc|co)\b/g, '').trim();
  const x = norm(a);
  const y = norm(b);
  return x.length > 0 && (x === y || x.includes(y) || y.includes(x));
}
