import type { OutboundHttpClient } from '../outbound/outbound-http-client';
import { mergeBusinessProfile } from './business-profile-merger';
import { ExtractionPool, type PageExtractor } from './extraction-pool';
import { textKey } from './fact-merger';
import type { PageDigest } from './page-digest';
import { ResearchError, type CrawledPage, type ProseStatement, type ResearchReport, type SourcedFact } from './research-report';
import { DEFAULT_CRAWL_LIMITS, SiteCrawler, type CrawlLimits } from './site-crawler';

export type { CrawlLimits } from './site-crawler';

/**
 * Researches a business from its website: crawls a handful of its pages through the SSRF-guarded
 * client and returns what it found with the page and method behind every fact. Throws
 * ResearchError when the site itself cannot be read; partial results come back as warnings.
 * Pages are parsed and read by `extractor` (by default the process's thread pool), so the
 * caller's event loop only fetches and merges.
 */
export class ResearchService {
  private readonly limits: CrawlLimits;

  constructor(
    private readonly http: OutboundHttpClient,
    limits: Partial<CrawlLimits> = {},
    private readonly extractor: PageExtractor = ExtractionPool.shared(),
  ) {
    this.limits = { ...DEFAULT_CRAWL_LIMITS, ...limits };
  }

  /** `signal` aborts the crawl's requests (an operation canceled mid-research). */
  async research(businessUrl: string, options: { signal?: AbortSignal } = {}): Promise<ResearchReport> {
    const started = Date.now();
    const crawl = await new SiteCrawler(this.http, this.extractor, this.limits, options.signal).crawl(businessUrl, (home) => {
      if (!home.usable) {
        throw new ResearchError('site_empty', `${home.url} has no readable text or structured data (it may need JavaScript to render)`, false, businessUrl);
      }
    });
    const { profile, warnings } = mergeBusinessProfile(crawl.pages.map((p) => p.facts));
    const texts = siteText(crawl.pages);
    const pages: CrawledPage[] = crawl.pages.map((p, i) => ({ url: p.url, status: p.status, kind: p.kind, title: p.title, bytes: p.bytes, text: texts.pages[i] }));
    profile.statements = texts.statements;
    const robotsSkipped = crawl.skipped.filter((s) => s.reason === 'robots_disallowed').length;
    const crawlWarnings = [...crawl.warnings];
    if (robotsSkipped > 0) crawlWarnings.push(`${robotsSkipped} page(s) not fetched because robots.txt disallows them`);
    return {
      object: 'research_report',
      business_url: businessUrl,
      final_url: crawl.finalUrl,
      crawled_at: new Date(started).toISOString(),
      duration_ms: Date.now() - started,
      pages,
      skipped: crawl.skipped,
      profile,
      suggested_template: null,
      warnings: [...crawlWarnings, ...warnings],
    };
  }
}

/** Main text kept for the whole report, all pages together; the home page comes first, so it is never the one cut. */
export const MAX_REPORT_TEXT_CHARS = 30_000;
/** Prose statements kept for the whole report. */
export const MAX_REPORT_STATEMENTS = 150;

/**
 * Every page's main text with paragraphs an earlier page already had dropped (the tagline, the
 * "call us" strip every page repeats), within MAX_REPORT_TEXT_CHARS, and the prose statements of
 * all pages, one per distinct sentence, within MAX_REPORT_STATEMENTS.
 */
function siteText(digests: PageDigest[]): { pages: string[][]; statements: SourcedFact<ProseStatement>[] } {
  const seenLines = new Set<string>();
  let chars = 0;
  const pages = digests.map((d) => {
    const kept: string[] = [];
    for (const line of d.main_text ?? []) {
      const key = textKey(line);
      if (!key || seenLines.has(key)) continue;
      seenLines.add(key);
      if (chars + line.length > MAX_REPORT_TEXT_CHARS) break;
      chars += line.length;
      kept.push(line);
    }
    return kept;
  });
  const seenStatements = new Map<string, SourcedFact<ProseStatement>>();
  for (const d of digests) {
    for (const s of d.statements ?? []) {
      const key = textKey(s.text);
      if (!key) continue;
      const known = seenStatements.get(key);
      if (known) {
        known.value.topics = [...new Set([...known.value.topics, ...s.topics])];
        continue;
      }
      if (seenStatements.size >= MAX_REPORT_STATEMENTS) continue;
      seenStatements.set(key, { value: { text: s.text, topics: [...s.topics] }, source_url: d.url, method: 'text' });
    }
  }
  return { pages, statements: [...seenStatements.values()] };
}
