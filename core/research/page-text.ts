import type { Element } from 'domhandler';
import type { OutlineBlock } from './page-outline';
import type { ParsedPage } from './parsed-page';
import { sentencesOf, topicsOf, type ProseTopic } from './prose-classifier';
import type { PageKind } from './research-report';

/**
 * A page's main text — what the business wrote on it, without the site chrome every page repeats
 * (navigation, header, footer, sidebars, cookie banners, forms) — and the sentences in it that
 * speak of something callers ask about. Runs in the extraction worker, over the outline's
 * already-capped lines (MAX_LINE_CHARS), with linear-time rules only (prose-classifier.ts).
 */
export interface PageStatement {
  text: string;
  topics: ProseTopic[];
}

/** Main text kept per page. A small business's page says what it has to in a few thousand characters. */
export const MAX_MAIN_TEXT_CHARS_PER_PAGE = 6_000;
/** Statements kept per page; a page of a hundred rules is a terms-of-service page. */
export const MAX_STATEMENTS_PER_PAGE = 40;
/**
 * Main text read for statements. Classifying costs a fixed number of substring searches per
 * character, so a hostile page of endless paragraphs is read only this far (its text is capped
 * at MAX_MAIN_TEXT_CHARS_PER_PAGE anyway), keeping a page well inside its CPU budget.
 */
export const MAX_STATEMENT_SOURCE_CHARS = 20_000;
/** Items of one list joined into one statement ("Areas we serve: Aurora, Lakewood, …"). */
const MAX_LIST_ITEMS = 40;
const MAX_LIST_ITEM_CHARS = 80;

/** Class or id words that mark site chrome on sites without semantic landmarks. */
const CHROME_WORDS = new Set(['footer', 'site-footer', 'nav', 'navbar', 'navigation', 'menu', 'main-menu', 'breadcrumb', 'breadcrumbs', 'cookie', 'cookies', 'cookie-banner', 'sidebar', 'skip-link', 'social', 'share']);
const BOILERPLATE_PHRASES = ['all rights reserved', 'copyright', '©', 'cookies', 'this website uses', 'privacy policy', 'terms of use', 'skip to content', 'powered by'];

const TOPICS_BY_KIND: Partial<Record<PageKind, ProseTopic[]>> = {
  service_area: ['service_area'],
  emergency: ['emergency'],
};

export interface PageText {
  /** Paragraphs (headings included, as their own lines), in reading order, deduplicated within the page. */
  lines: string[];
  statements: PageStatement[];
}

export function pageTextOf(page: ParsedPage): PageText {
  const chrome = new WeakMap<Element, boolean>();
  const lines: string[] = [];
  const seen = new Set<string>();
  let chars = 0;
  let read = 0;
  const main: OutlineBlock[] = [];
  for (const block of page.outline) {
    if (read >= MAX_STATEMENT_SOURCE_CHARS) break;
    if (block.landmark !== 'main' && block.landmark !== 'none') continue;
    if (block.within.form || isChrome(block.el, chrome) || isBoilerplate(block.text)) continue;
    read += block.text.length + 1;
    main.push(block);
    const key = block.text.toLowerCase();
    if (seen.has(key) || chars >= MAX_MAIN_TEXT_CHARS_PER_PAGE) continue;
    seen.add(key);
    const line = block.text.length + chars > MAX_MAIN_TEXT_CHARS_PER_PAGE ? `${block.text.slice(0, MAX_MAIN_TEXT_CHARS_PER_PAGE - chars)}…` : block.text;
    chars += line.length;
    lines.push(line);
  }
  return { lines, statements: statementsOf(page, main) };
}

function statementsOf(page: ParsedPage, blocks: OutlineBlock[]): PageStatement[] {
  const statements: PageStatement[] = [];
  const seen = new Set<string>();
  const add = (text: string, topics: ProseTopic[]): void => {
    if (statements.length >= MAX_STATEMENTS_PER_PAGE || topics.length === 0) return;
    const key = text.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    statements.push({ text, topics });
  };
  const fromKind = TOPICS_BY_KIND[page.kind] ?? [];
  // Every block under a heading asks about the same heading: classify each heading text once.
  const headingTopics = new Map<string, ProseTopic[]>();
  const topicsOfHeading = (text: string): ProseTopic[] => {
    let topics = headingTopics.get(text);
    if (!topics) headingTopics.set(text, (topics = topicsOf(text)));
    return topics;
  };
  let list: { heading: string; topics: ProseTopic[]; items: string[] } | null = null;
  const flush = (): void => {
    if (list && list.items.length > 0) add(`${list.heading}: ${list.items.join(', ')}`, list.topics);
    list = null;
  };
  for (const block of blocks) {
    if (/^h[1-6]$/.test(block.tag)) {
      flush();
      continue;
    }
    const nearest = block.headings[block.headings.length - 1]?.text ?? '';
    // What the section is about carries over to sentences under it that do not name it again.
    const inherited = union(fromKind, nearest ? topicsOfHeading(nearest) : []);
    if (block.tag === 'li' && block.text.length <= MAX_LIST_ITEM_CHARS && inherited.length > 0 && nearest) {
      // A bare list of towns or carriers says nothing alone; under its heading it is the answer.
      const current = list as { heading: string; topics: ProseTopic[]; items: string[] } | null;
      if (!current || current.heading !== nearest) {
        flush();
        list = { heading: nearest, topics: inherited, items: [] };
      }
      const open = list as unknown as { items: string[] };
      if (open.items.length < MAX_LIST_ITEMS) open.items.push(block.text.replace(/[.;,]$/, ''));
      continue;
    }
    flush();
    for (const sentence of sentencesOf(block.text)) {
      // A question ("Outside these towns?") states nothing; its answer is the next sentence.
      if (sentence.length < 12 || sentence.endsWith('?')) continue;
      add(sentence, union(topicsOf(sentence), inherited));
    }
  }
  flush();
  return statements;
}

function union(a: ProseTopic[], b: ProseTopic[]): ProseTopic[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...new Set([...a, ...b])];
}

function isBoilerplate(text: string): boolean {
  if (text.length > 300) return false;
  const lower = text.toLowerCase();
  return BOILERPLATE_PHRASES.some((p) => lower.includes(p));
}

/** True when the element or an ancestor is marked as chrome by its class or id. Memoised per element. */
function isChrome(el: Element, memo: WeakMap<Element, boolean>): boolean {
  const path: Element[] = [];
  let node: Element | null = el;
  let found: boolean | undefined;
  while (node) {
    const known = memo.get(node);
    if (known !== undefined) {
      found = known;
      break;
    }
    path.push(node);
    if (markedAsChrome(node)) {
      found = true;
      break;
    }
    const parent: unknown = node.parent;
    node = parent && typeof parent === 'object' && 'attribs' in parent ? (parent as Element) : null;
  }
  const result = found ?? false;
  for (const p of path) memo.set(p, result);
  return result;
}

function markedAsChrome(el: Element): boolean {
  const attribs = el.attribs ?? {};
  const words = `${attribs.class ?? ''} ${attribs.id ?? ''}`.toLowerCase().split(' ');
  return words.some((w) => w !== '' && CHROME_WORDS.has(w));
}
