import type { OutboundHttpClient } from '../outbound/outbound-http-client';
import { OutboundUrlRefused } from '../outbound/outbound-url-guard';
import { PageExtractionFailed, type PageExtractor } from './extraction-pool';
import { classifyLink } from './page-classifier';
import type { PageDigest, RawPage } from './page-digest';
import { fetchHtml, type FetchFailure, type PageFetchResult } from './page-fetcher';
import { ResearchError, type PageKind, type SkippedPage, type SkipReason } from './research-report';
import { RobotsPolicy } from './robots-policy';
import { isSameSite, looksLikeNonHtmlFile, pageKey } from './site-scope';

export interface CrawlLimits {
  /** Pages fetched, the home page included. */
  maxPages: number;
  maxBytesPerPage: number;
  /** Wall-clock budget for the whole crawl, robots.txt included. */
  timeBudgetMs: number;
  maxRedirects: number;
  /** Pages fetched at the same time; small, because this is someone's small-business website. */
  concurrency: number;
  /** One page may not take more than this, so a single slow page cannot eat the whole budget. */
  pageTimeoutMs: number;
  /**
   * CPU time one page may spend being parsed and read in its worker thread. Real pages need tens
   * of milliseconds; a page that needs seconds is built to exhaust the CPU and is given up.
   */
  extractionTimeoutMs: number;
}

export const DEFAULT_CRAWL_LIMITS: CrawlLimits = {
  maxPages: 8,
  maxBytesPerPage: 2 * 1024 * 1024,
  timeBudgetMs: 20_000,
  maxRedirects: 5,
  concurrency: 3,
  pageTimeoutMs: 10_000,
  extractionTimeoutMs: 5_000,
};

export interface CrawlResult {
  finalUrl: string;
  /** Home first, then the other pages in the order they were chosen. */
  pages: PageDigest[];
  skipped: SkippedPage[];
  warnings: string[];
}

/** Links are followed from the home page and from the pages it leads to, no deeper. */
const MAX_DEPTH = 2;
/** Candidates we name in `skipped` when the page budget runs out; the rest are only counted. */
const MAX_REPORTED_PAGE_LIMIT_SKIPS = 40;

interface Candidate {
  url: URL;
  kind: PageKind;
  score: number;
  order: number;
}

/**
 * Fetches the business's home page, then the few same-site pages most likely to hold what a phone
 * agent needs, within page, byte, time and robots.txt limits. The home page failing is fatal
 * (ResearchError); any other page failing is recorded in `skipped` and the crawl goes on.
 */
export class SiteCrawler {
  constructor(
    private readonly http: OutboundHttpClient,
    private readonly extractor: PageExtractor,
    private readonly limits: CrawlLimits,
    private readonly signal?: AbortSignal,
  ) {}

  async crawl(businessUrl: string, inspectHome?: (home: PageDigest) => void): Promise<CrawlResult> {
    const deadline = Date.now() + this.limits.timeBudgetMs;
    const startUrl = this.startUrl(businessUrl);
    const robots = new RobotsPolicy(this.http, deadline, this.signal);
    const skipped: SkippedPage[] = [];
    const warnings: string[] = [];

    if (!(await robots.isAllowed(startUrl))) {
      throw new ResearchError('robots_disallowed', `robots.txt of ${startUrl.origin} does not allow ${startUrl.href} to be crawled`, false, startUrl.href);
    }
    this.signal?.throwIfAborted();
    const homeFetch = await fetchHtml(this.http, startUrl.href, this.fetchOptions(deadline));
    if (!homeFetch.ok) throw homeFailure(homeFetch, startUrl.href);
    const finalUrl = new URL(homeFetch.page.url);
    // Redirects are followed inside the HTTP client, so where they landed is judged afterwards
    // (for the same origin this costs nothing: its rules are cached).
    if (finalUrl.href !== startUrl.href && !(await robots.isAllowed(finalUrl))) {
      throw new ResearchError('robots_disallowed', `robots.txt of ${finalUrl.origin} does not allow ${finalUrl.href} to be crawled`, false, finalUrl.href);
    }
    if (!isSameSite(finalUrl, startUrl)) warnings.push(`${startUrl.href} redirected to another site, ${finalUrl.href}; that site was crawled instead`);
    let home: PageDigest;
    try {
      home = await this.digest({ ...homeFetch.page, kind: 'home' });
    } catch (err) {
      if (!(err instanceof PageExtractionFailed)) throw err;
      throw withCause(new ResearchError('page_unreadable', `the home page ${homeFetch.page.url} could not be read: ${err.message}`, false, startUrl.href), err);
    }
    inspectHome?.(home);

    const pages: PageDigest[] = [home];
    const seen = new Set<string>([pageKey(startUrl), pageKey(finalUrl)]);
    const crawled = new Set<string>([pageKey(finalUrl)]);
    const skippedUrls = new Set<string>();
    const skip = (url: string, reason: SkipReason, detail?: string) => {
      if (skippedUrls.has(url)) return;
      skippedUrls.add(url);
      skipped.push(detail ? { url, reason, detail } : { url, reason });
    };

    let slots = this.limits.maxPages - 1;
    let frontier = this.discover([home], finalUrl, seen, skip);
    let pageLimitSkips = 0;
    let timeLimitSkips = 0;
    for (let depth = 1; depth <= MAX_DEPTH && frontier.length > 0; depth++) {
      const chosen: Candidate[] = [];
      for (const candidate of prioritise(frontier)) {
        const key = pageKey(candidate.url);
        if (slots <= 0) {
          if (pageLimitSkips++ < MAX_REPORTED_PAGE_LIMIT_SKIPS) skip(candidate.url.href, 'page_limit', `${candidate.kind} page; limit is ${this.limits.maxPages} pages`);
          continue;
        }
        seen.add(key);
        if (!(await robots.isAllowed(candidate.url))) {
          skip(candidate.url.href, 'robots_disallowed');
          continue;
        }
        chosen.push(candidate);
        slots--;
      }
      const fetched = await this.fetchAll(chosen, deadline);
      const round: Promise<PageDigest | undefined>[] = [];
      for (const [i, result] of fetched.entries()) {
        const candidate = chosen[i];
        if (result === 'time_limit') {
          timeLimitSkips++;
          skip(candidate.url.href, 'time_limit', 'crawl time budget exhausted before this page was fetched');
          continue;
        }
        if (!result.ok) {
          const { reason, detail } = pageSkip(result.failure, deadline);
          if (reason === 'time_limit') timeLimitSkips++;
          skip(candidate.url.href, reason, result.url === candidate.url.href ? detail : `${detail} (at ${result.url})`);
          continue;
        }
        const landed = new URL(result.page.url);
        if (!isSameSite(landed, finalUrl)) {
          skip(candidate.url.href, 'off_site', `redirected to ${landed.href}`);
          continue;
        }
        const landedKey = pageKey(landed);
        // A redirect onto a page we already have (often the home page) is not a second page.
        if (crawled.has(landedKey)) continue;
        crawled.add(landedKey);
        seen.add(landedKey);
        round.push(
          this.digest({ ...result.page, kind: candidate.kind }).catch((err: unknown) => {
            if (!(err instanceof PageExtractionFailed)) throw err;
            skip(candidate.url.href, 'unreadable', err.message);
            return undefined;
          }),
        );
      }
      const read = (await Promise.all(round)).filter((p): p is PageDigest => p !== undefined);
      pages.push(...read);
      frontier = slots > 0 ? this.discover(read, finalUrl, seen, skip) : [];
    }

    if (timeLimitSkips > 0) warnings.push(`the ${this.limits.timeBudgetMs} ms crawl budget ran out; ${timeLimitSkips} page(s) were not fetched`);
    if (pageLimitSkips > MAX_REPORTED_PAGE_LIMIT_SKIPS) {
      warnings.push(`${pageLimitSkips} relevant-looking pages were left out by the ${this.limits.maxPages}-page limit; only ${MAX_REPORTED_PAGE_LIMIT_SKIPS} are listed in skipped`);
    }
    warnings.push(...(await robots.problems()));
    return { finalUrl: finalUrl.href, pages, skipped, warnings };
  }

  private startUrl(businessUrl: string): URL {
    const trimmed = businessUrl.trim();
    // People type "example.com"; anything that already names a scheme is left for the guard to judge.
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(trimmed) ? trimmed : `https://${trimmed}`;
    try {
      return this.http.checkUrl(withScheme);
    } catch (err) {
      if (err instanceof OutboundUrlRefused) {
        throw withCause(new ResearchError('url_refused', `cannot research ${businessUrl}: ${err.message} (${err.reason})`, false, businessUrl), err);
      }
      throw err;
    }
  }

  private digest(page: RawPage): Promise<PageDigest> {
    return this.extractor.extract(page, this.limits.extractionTimeoutMs);
  }

  private fetchOptions(deadline: number) {
    return {
      maxBytes: this.limits.maxBytesPerPage,
      maxRedirects: this.limits.maxRedirects,
      signal: this.signal,
      timeoutMs: Math.max(1, Math.min(this.limits.pageTimeoutMs, deadline - Date.now())),
    };
  }

  /** Fetches with at most `concurrency` requests in flight; results keep the candidates' order. */
  private async fetchAll(candidates: Candidate[], deadline: number): Promise<(PageFetchResult | 'time_limit')[]> {
    const results: (PageFetchResult | 'time_limit')[] = new Array(candidates.length);
    let next = 0;
    const worker = async () => {
      while (next < candidates.length) {
        const i = next++;
        this.signal?.throwIfAborted();
        results[i] = Date.now() >= deadline ? 'time_limit' : await fetchHtml(this.http, candidates[i].url.href, this.fetchOptions(deadline));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.limits.concurrency, candidates.length) }, worker));
    return results;
  }

  /** Same-site links from `pages` that look useful, best classification kept per page. */
  private discover(pages: PageDigest[], site: URL, seen: Set<string>, skip: (url: string, reason: SkipReason, detail?: string) => void): Candidate[] {
    const found = new Map<string, Candidate>();
    let order = 0;
    for (const page of pages) {
      for (const link of page.links) {
        const url = new URL(link.url);
        const key = pageKey(url);
        if (seen.has(key)) continue;
        const { kind, score } = classifyLink(link.label, url);
        if (kind === 'other' || score <= 0) continue;
        if (!isSameSite(url, site)) {
          if (score > 1) skip(url.href, 'off_site', `${kind} link to another site`);
          continue;
        }
        if (looksLikeNonHtmlFile(url)) {
          skip(url.href, 'not_html', `${kind} link to a file, not a web page`);
          seen.add(key);
          continue;
        }
        const existing = found.get(key);
        if (!existing) found.set(key, { url, kind, score, order: order++ });
        else if (score > existing.score) found.set(key, { ...existing, kind, score });
      }
    }
    return [...found.values()];
  }
}

/**
 * Best first, but one page of each kind before a second of any: the services overview and the
 * contact page together beat two service detail pages.
 */
function prioritise(candidates: Candidate[]): Candidate[] {
  const ranked = [...candidates].sort((a, b) => b.score - a.score || a.order - b.order);
  const firsts: Candidate[] = [];
  const rest: Candidate[] = [];
  const kinds = new Set<PageKind>();
  for (const c of ranked) {
    if (kinds.has(c.kind)) rest.push(c);
    else {
      kinds.add(c.kind);
      firsts.push(c);
    }
  }
  return [...firsts, ...rest];
}

function pageSkip(failure: FetchFailure, deadline: number): { reason: SkipReason; detail: string } {
  switch (failure.kind) {
    case 'refused':
      return { reason: 'refused', detail: `${failure.refusal}: ${failure.message}` };
    case 'too_large':
      return { reason: 'byte_limit', detail: failure.message };
    case 'http_error':
      return { reason: 'http_error', detail: failure.message };
    case 'not_html':
      return { reason: 'not_html', detail: failure.message };
    case 'timeout':
      return Date.now() >= deadline - 50 ? { reason: 'time_limit', detail: 'crawl time budget exhausted' } : { reason: 'fetch_failed', detail: failure.message };
    case 'unreachable':
    case 'too_many_redirects':
      return { reason: 'fetch_failed', detail: failure.message };
  }
}

/** The home page is the research: when it fails, so does the whole request, with a reason a caller can act on. */
function homeFailure(result: Extract<PageFetchResult, { ok: false }>, requested: string): ResearchError {
  const { failure, cause } = result;
  const at = result.url;
  const fail = (kind: ResearchError['failure'], message: string, retryable: boolean) => withCause(new ResearchError(kind, message, retryable, requested), cause);
  switch (failure.kind) {
    case 'refused':
      // Only the DNS hook says "did not resolve" this way; that is an unreachable site, not a forbidden one.
      if (failure.refusal === 'unresolvable_host') return fail('site_unreachable', `${at} could not be resolved`, true);
      return fail('url_refused', `refused to fetch ${at}: ${failure.message} (${failure.refusal})`, false);
    case 'unreachable':
      return fail('site_unreachable', `${at} could not be reached: ${failure.message}`, true);
    case 'timeout':
      return fail('site_unreachable', `${at} did not answer in time`, true);
    case 'too_large':
      return fail('too_large', `the home page ${at} is too large: ${failure.message}`, false);
    case 'too_many_redirects':
      return fail('site_error', `${requested} redirects too many times: ${failure.message}`, false);
    case 'http_error': {
      const retryable = failure.status >= 500 || failure.status === 429 || failure.status === 408;
      return fail('site_error', `the home page ${at} answered HTTP ${failure.status}`, retryable);
    }
    case 'not_html':
      return fail('not_html', `${at} is not a web page (${failure.contentType})`, false);
  }
}

function withCause(error: ResearchError, cause: unknown): ResearchError {
  if (cause !== undefined) error.cause = cause;
  return error;
}
