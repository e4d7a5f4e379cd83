import { OutboundHttpClient } from '../../core/outbound/outbound-http-client';
import { ResearchError, type ResearchReport } from '../../core/research/research-report';
import { ResearchService, type CrawlLimits } from '../../core/research/research-service';
import { HUGE_PAGE_BYTES, startFixtureSite, type FixtureRoute, type FixtureSite } from '../support/fixture-site-server';

/** How the crawl spends its budget: robots.txt, page/byte/time limits, redirects and concurrency. */
const http = new OutboundHttpClient({ allowPrivateNetworks: true });
afterAll(() => http.close());

const sites: FixtureSite[] = [];
afterEach(async () => {
  await Promise.all(sites.splice(0).map((s) => s.close()));
});

async function serve(name: string | null, routes: Record<string, FixtureRoute> = {}): Promise<FixtureSite> {
  const site = await startFixtureSite(name, routes);
  sites.push(site);
  return site;
}

function research(site: FixtureSite, limits: Partial<CrawlLimits> = {}, start = '/'): Promise<ResearchReport> {
  return new ResearchService(http, limits).research(site.url(start));
}

async function failure(promise: Promise<unknown>): Promise<ResearchError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ResearchError) return err;
    throw err;
  }
  throw new Error('expected research to fail');
}

const paths = (report: ResearchReport) => report.pages.map((p) => new URL(p.url).pathname);

describe('robots.txt', () => {
  test('a home page disallowed for everyone fails with robots_disallowed before it is requested', async () => {
    const site = await serve('bright-smile-dental', { '/robots.txt': { kind: 'content', contentType: 'text/plain', body: 'User-agent: *\nDisallow: /\n' } });
    const err = await failure(research(site));
    expect(err).toMatchObject({ failure: 'robots_disallowed', retryable: false, url: site.url('/') });
    expect(site.requests.map((r) => r.path)).toEqual(['/robots.txt']);
  });

  test('rules for other crawlers do not apply to us', async () => {
    const site = await serve('bright-smile-dental', {
      '/robots.txt': { kind: 'content', contentType: 'text/plain', body: 'User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nDisallow: /team\n' },
    });
    const report = await research(site);
    expect(paths(report)).toContain('/faq');
    expect(paths(report)).not.toContain('/team');
    expect(site.hits('/team')).toBe(0);
    expect(report.skipped).toContainEqual({ url: site.url('/team'), reason: 'robots_disallowed' });
  });

  test('a missing robots.txt (404) allows everything', async () => {
    const site = await serve('bright-smile-dental');
    const report = await research(site);
    expect(site.hits('/robots.txt')).toBe(1);
    expect(report.pages).toHaveLength(8);
    expect(report.skipped.some((s) => s.reason === 'robots_disallowed')).toBe(false);
  });

  test('a robots.txt that errors (5xx) is treated as no rules, and the report says so', async () => {
    const site = await serve('bright-smile-dental', { '/robots.txt': { kind: 'status', status: 503, body: 'down' } });
    const report = await research(site);
    expect(report.pages).toHaveLength(8);
    expect(report.warnings).toContain(`${site.url('/robots.txt')} answered HTTP 503; crawled as if it had no rules`);
  });
});

describe('page limit', () => {
  test('maxPages counts the home page; the best-ranked pages are fetched and the others listed', async () => {
    const site = await serve('bright-smile-dental');
    const report = await research(site, { maxPages: 3 });
    expect(paths(report)).toEqual(['/', '/services', '/contact']);
    expect(report.skipped.filter((s) => s.reason === 'page_limit').map((s) => new URL(s.url).pathname)).toEqual(['/faq', '/about', '/insurance', '/team', '/privacy']);
    expect(site.requests.map((r) => r.path)).toEqual(['/robots.txt', '/', '/services', '/contact']);
  });

  test('maxPages 1 researches the home page alone', async () => {
    const site = await serve('bright-smile-dental');
    const report = await research(site, { maxPages: 1 });
    expect(paths(report)).toEqual(['/']);
    expect(report.profile.name?.value).toBe('Bright Smile Family Dental');
    expect(report.profile.staff).toEqual([]);
  });
});

describe('byte limit', () => {
  test('an oversized page other than the home page is skipped with byte_limit and the crawl goes on', async () => {
    const site = await serve('precision-auto-repair', { '/specials': { kind: 'huge', bytes: HUGE_PAGE_BYTES } });
    const report = await research(site);
    expect(report.skipped).toContainEqual({ url: site.url('/specials'), reason: 'byte_limit', detail: 'response larger than 2097152 bytes' });
    expect(paths(report)).not.toContain('/specials');
    expect(paths(report)).toEqual(expect.arrayContaining(['/', '/services', '/contact', '/faq', '/warranty']));
    expect(report.profile.name?.value).toBe('Precision Auto Repair');
  });

  test('an oversized home page fails with too_large, not retryable', async () => {
    const site = await serve(null);
    const err = await failure(research(site, {}, '/huge'));
    expect(err).toMatchObject({ failure: 'too_large', retryable: false });
  });

  test('the limit is configurable', async () => {
    const site = await serve('bright-smile-dental');
    const err = await failure(research(site, { maxBytesPerPage: 4096 }));
    expect(err).toMatchObject({ failure: 'too_large', retryable: false });
    expect(err.message).toContain('4096');
  });
});

describe('time budget', () => {
  test('a page still loading when the budget runs out is skipped with time_limit; the rest is reported', async () => {
    const site = await serve('bright-smile-dental', { '/faq': { kind: 'slow', delayMs: 10_000 } });
    const started = Date.now();
    const report = await research(site, { timeBudgetMs: 1500 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(report.skipped).toContainEqual(expect.objectContaining({ url: site.url('/faq'), reason: 'time_limit' }));
    expect(paths(report)).toEqual(expect.arrayContaining(['/', '/services', '/contact', '/team']));
    expect(report.warnings).toContain('the 1500 ms crawl budget ran out; 1 page(s) were not fetched');
    expect(report.profile.hours?.value).toHaveLength(6);
  });

  test('one slow page cannot eat the budget: pageTimeoutMs gives up on it early and the crawl continues', async () => {
    const site = await serve('bright-smile-dental', { '/services': { kind: 'slow', delayMs: 10_000, stallBody: true } });
    const started = Date.now();
    const report = await research(site, { pageTimeoutMs: 400 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(report.skipped).toContainEqual({ url: site.url('/services'), reason: 'fetch_failed', detail: 'request timed out' });
    expect(report.pages).toHaveLength(7);
  });

  test('a home page slower than the budget fails as site_unreachable, retryable', async () => {
    const site = await serve(null);
    const started = Date.now();
    const err = await failure(research(site, { timeBudgetMs: 500 }, '/slow'));
    expect(err).toMatchObject({ failure: 'site_unreachable', retryable: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('concurrency', () => {
  test('pages are fetched a few at a time, never more than the limit', async () => {
    const slow: FixtureRoute = { kind: 'slow', delayMs: 250 };
    const site = await serve('bright-smile-dental', { '/services': slow, '/contact': slow, '/faq': slow, '/about': slow, '/insurance': slow, '/team': slow, '/privacy': slow });
    const started = Date.now();
    const report = await research(site);
    expect(report.pages).toHaveLength(8);
    expect(site.peakConcurrency).toBe(3);
    // Seven 250 ms pages three at a time take three rounds, not seven.
    expect(Date.now() - started).toBeLessThan(7 * 250);
  });

  test('concurrency 1 fetches strictly one page after another', async () => {
    const site = await serve('bright-smile-dental', { '/services': { kind: 'slow', delayMs: 100 }, '/contact': { kind: 'slow', delayMs: 100 } });
    await research(site, { concurrency: 1 });
    expect(site.peakConcurrency).toBe(1);
  });
});

describe('redirects', () => {
  test('the redirect chain /old → /older → /home is followed and final_url says where the site really is', async () => {
    const site = await serve('bright-smile-dental');
    const report = await research(site, {}, '/old');
    expect(report.business_url).toBe(site.url('/old'));
    expect(report.final_url).toBe(site.url('/home'));
    expect(report.pages[0]).toMatchObject({ url: site.url('/home'), kind: 'home', status: 200 });
    expect(site.requests.slice(0, 4).map((r) => r.path)).toEqual(['/robots.txt', '/old', '/older', '/home']);
    expect(report.profile.name?.value).toBe('Bright Smile Family Dental');
  });

  test('more redirects than maxRedirects fail the home page as a non-retryable site_error', async () => {
    const site = await serve('bright-smile-dental');
    const err = await failure(research(site, { maxRedirects: 1 }, '/old'));
    expect(err).toMatchObject({ failure: 'site_error', retryable: false });
    expect(site.hits('/home')).toBe(0);
  });

  test('a subpage redirecting to a page already crawled is not counted twice', async () => {
    const site = await serve('bright-smile-dental', { '/about': { kind: 'redirect', to: '/' } });
    const report = await research(site);
    expect(paths(report).filter((p) => p === '/')).toHaveLength(1);
    expect(paths(report)).not.toContain('/about');
  });

  test('a subpage redirecting to another site is skipped as off_site and its content is not used', async () => {
    // Same host, another port: a different site by our definition, and reachable offline.
    const other = await serve('trattoria-lucia');
    const site = await serve('bright-smile-dental', { '/about': { kind: 'redirect', to: other.url('/') } });
    const report = await research(site);
    expect(report.skipped).toContainEqual({ url: site.url('/about'), reason: 'off_site', detail: `redirected to ${other.url('/')}` });
    expect(report.pages.every((p) => p.url.startsWith(site.origin))).toBe(true);
    expect(report.profile.services.some((s) => s.value === 'Cacio e Pepe')).toBe(false);
    expect(report.pages).toHaveLength(7);
  });
});

describe('content', () => {
  test('a gzip-encoded page is decoded even though we never asked for compression', async () => {
    const site = await serve('bright-smile-dental', { '/': { kind: 'gzip', file: 'index.html' } });
    const report = await research(site);
    expect(report.profile.name).toMatchObject({ value: 'Bright Smile Family Dental', method: 'json-ld' });
  });

  test('a non-HTML subpage is skipped as not_html', async () => {
    const site = await serve('bright-smile-dental', { '/faq': { kind: 'content', contentType: 'application/json', body: '{"faq":[]}' } });
    const report = await research(site);
    expect(report.skipped).toContainEqual({ url: site.url('/faq'), reason: 'not_html', detail: 'content-type application/json is not HTML' });
  });

  test('a subpage answering 404 or 500 is skipped as http_error', async () => {
    const site = await serve('bright-smile-dental', { '/faq': { kind: 'status', status: 404 }, '/team': { kind: 'status', status: 500 } });
    const report = await research(site);
    expect(report.skipped).toContainEqual({ url: site.url('/faq'), reason: 'http_error', detail: 'HTTP 404' });
    expect(report.skipped).toContainEqual({ url: site.url('/team'), reason: 'http_error', detail: 'HTTP 500' });
    expect(report.profile.staff).toEqual([]);
  });

  test('missing facts become warnings', async () => {
    const site = await serve('luxe-hair-studio');
    const report = await research(site, { maxPages: 1 });
    expect(report.warnings).toEqual(expect.arrayContaining(['no services found']));
    expect(report.warnings).not.toContain('no opening hours found');
    const bare = await serve(null, { '/bare': { kind: 'content', contentType: 'text/html', body: '<html><body><h1>Coming soon</h1><p>Our new website is under construction. Check back soon for more.</p></body></html>' } });
    const thin = await new ResearchService(http).research(bare.url('/bare'));
    expect(thin.warnings).toEqual(['no business name found', 'no telephone number found', 'no street address found', 'no opening hours found', 'no services found']);
  });
});
