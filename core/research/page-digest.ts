import { extractContacts } from './contact-extractor';
import { extractFaqs } from './faq-extractor';
import { extractHours } from './hours-extractor';
import { readJsonLd } from './json-ld-reader';
import { extractLinks } from './link-extractor';
import { extractMeta } from './meta-extractor';
import { readMicrodata } from './microdata-reader';
import { collapse, textOf } from './page-outline';
import { emptyFacts, type FoundFacts } from './page-facts';
import { parsePage, type ParsedPage } from './parsed-page';
import { pageTextOf, type PageStatement } from './page-text';
import { extractPolicies } from './policy-extractor';
import type { PageKind } from './research-report';
import { extractServices } from './service-extractor';
import { extractStaff } from './staff-extractor';
import { extractStructuredData } from './structured-data-extractor';

/** A fetched page as the crawler hands it over: plain data, so it can cross into a worker thread. */
export interface RawPage {
  url: string;
  kind: PageKind;
  status: number;
  bytes: number;
  body: Uint8Array;
  charset?: string;
}

export interface PageLink {
  /** Absolute, without fragment. */
  url: string;
  label: string;
}

/**
 * Everything the crawl needs from one page once it has been parsed: its facts (still unmerged),
 * the links worth considering and whether it has anything to read. Plain data, because it is
 * computed in a worker thread and the cheerio document stays there.
 */
export interface PageDigest {
  url: string;
  kind: PageKind;
  status: number;
  bytes: number;
  title: string | null;
  usable: boolean;
  links: PageLink[];
  facts: FoundFacts;
  /** The page's main text, chrome removed, capped (page-text.ts). */
  main_text: string[];
  /** Sentences of the main text that speak of something callers ask about, with their topics. */
  statements: PageStatement[];
}

/** Below this many letters of visible text, a page without structured data has nothing to read. */
const MIN_LETTERS = 40;
/** A real page links to dozens of pages; past this the rest are navigation noise or a trap. */
const MAX_LINKS = 400;
const MAX_LINK_LABEL = 200;
/**
 * Candidates of one kind one page may contribute. Merging is cheap per candidate, but a page of
 * ten thousand phone numbers would still cost the caller's thread a sort over all of them.
 */
const MAX_CANDIDATES_PER_KIND = 100;

/** Parses one page and runs every extractor over it. CPU-bound: callers run it in a worker thread. */
export function digestPage(raw: RawPage): PageDigest {
  const page = parsePage({ ...raw, body: Buffer.from(raw.body.buffer, raw.body.byteOffset, raw.body.byteLength) });
  const facts = emptyFacts();
  const jsonLd = readJsonLd(page.$, (message) => facts.notes.push(`${message} (${page.url})`));
  const microdata = readMicrodata(page.$, page.url);
  extractStructuredData(jsonLd, 'json-ld', page.url, facts);
  extractStructuredData(microdata, 'microdata', page.url, facts);
  extractMeta(page, facts);
  extractContacts(page, facts);
  extractHours(page, facts);
  extractServices(page, facts);
  extractFaqs(page, facts);
  extractStaff(page, facts);
  extractPolicies(page, facts);
  extractLinks(page, facts);
  const text = pageTextOf(page);
  if (page.truncated) facts.notes.push(`only the first part of the text of ${page.url} was read: it is longer or more deeply nested than any real page`);
  return {
    url: page.url,
    kind: page.kind,
    status: page.status,
    bytes: page.bytes,
    title: page.title,
    usable: hasEnoughLetters(page) || jsonLd.length > 0 || microdata.length > 0,
    links: linksOf(page),
    facts: capCandidates(facts),
    main_text: text.lines,
    statements: text.statements,
  };
}

/** False for a JavaScript shell or a parked page. Counts only until it knows. */
function hasEnoughLetters(page: ParsedPage): boolean {
  let letters = 0;
  for (const block of page.outline) {
    for (const char of block.text) {
      if (/\p{L}/u.test(char) && ++letters >= MIN_LETTERS) return true;
    }
  }
  return false;
}

function linksOf(page: ParsedPage): PageLink[] {
  const { $ } = page;
  const base = resolveBase($('base[href]').first().attr('href'), page.url);
  const links: PageLink[] = [];
  for (const a of $('a[href]').toArray()) {
    if (links.length >= MAX_LINKS) break;
    const href = ($(a).attr('href') ?? '').trim();
    if (!href || href.startsWith('#') || /^(mailto|tel|sms|javascript|data):/i.test(href)) continue;
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    const label = collapse(textOf(a)) || $(a).attr('aria-label') || $(a).attr('title') || $(a).find('img[alt]').attr('alt') || '';
    links.push({ url: url.href, label: label.slice(0, MAX_LINK_LABEL) });
  }
  return links;
}

function resolveBase(href: string | undefined, pageUrl: string): string {
  if (!href) return pageUrl;
  try {
    return new URL(href, pageUrl).href;
  } catch {
    return pageUrl;
  }
}

function capCandidates(facts: FoundFacts): FoundFacts {
  const capped = { ...facts };
  for (const [key, list] of Object.entries(facts)) {
    if (Array.isArray(list) && list.length > MAX_CANDIDATES_PER_KIND) Object.assign(capped, { [key]: list.slice(0, MAX_CANDIDATES_PER_KIND) });
  }
  return capped;
}
