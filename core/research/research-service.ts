import type { OutboundHttpClient } from '../outbound/outbound-http-client';
import { mergeBusinessProfile } from './business-profile-merger';
import { ExtractionPool, type PageExtractor } from './extraction-pool';
import { ResearchError, type CrawledPage, type ResearchReport } from './research-report';
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
    const pages: CrawledPage[] = crawl.pages.map((p) => ({ url: p.url, status: p.status, kind: p.kind, title: p.title, bytes: p.bytes }));
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
