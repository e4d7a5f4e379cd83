import zlib from 'node:zlib';
import { OutboundHttpClient } from '../../core/outbound/outbound-http-client';
import { ExtractionPool, PageExtractionFailed } from '../../core/research/extraction-pool';
import { ResearchError, type ResearchReport } from '../../core/research/research-report';
import { ResearchService, type CrawlLimits } from '../../core/research/research-service';
import { startFixtureSite, type FixtureRoute, type FixtureSite } from '../support/fixture-site-server';
import { A_FEW_SECONDS, HOSTILE_PAGES } from './hostile-pages';

/**
 * Pages built to pin the CPU: research of each must finish in a few seconds (extraction is
 * linear and capped), and a page that is merely enormous is given up at its own deadline.
 */
const http = new OutboundHttpClient({ allowPrivateNetworks: true });
afterAll(() => http.close());

const sites: FixtureSite[] = [];
afterEach(async () => {
  await Promise.all(sites.splice(0).map((s) => s.close()));
});

async function serve(routes: Record<string, FixtureRoute>): Promise<FixtureSite> {
  const site = await startFixtureSite(null, routes);
  sites.push(site);
  return site;
}

function gzipped(html: string): FixtureRoute {
  return { kind: 'content', contentType: 'text/html; charset=utf-8', body: zlib.gzipSync(html), headers: { 'content-encoding': 'gzip' } };
}

async function outcome(promise: Promise<ResearchReport>): Promise<ResearchReport | ResearchError> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof ResearchError) return err;
    throw err;
  }
}

/** A page any extractor reads in milliseconds, linking to the pages under test. */
const HOME = `<!doctype html><html><head><title>Harbor Dental</title></head><body>
<h1>Harbor Dental</h1><p>Family dentistry on the harbor since 1998. Call (512) 555-0142 or write to hello@harbor.example.</p>
<nav><a href="/services">Services</a> <a href="/faq">FAQ</a> <a href="/contact">Contact</a></nav></body></html>`;

/** About 2 MB of ordinary list items: nothing hostile, just more work than a tight budget allows. */
function enormousPage(): string {
  const items: string[] = [];
  for (let i = 0, size = 0; size < 1.9 * 1024 * 1024; i++) {
    const item = `<li><a href="/s/${i}">Service ${i}</a></li>`;
    items.push(item);
    size += item.length;
  }
  return `<!doctype html><html><head><title>Everything</title></head><body><h2>Services</h2><ul>${items.join('')}</ul></body></html>`;
}

describe('hostile pages', () => {
  test.each(Object.keys(HOSTILE_PAGES))('a home page of %s, served gzip, is researched within a few seconds', async (name) => {
    const site = await serve({ '/': gzipped(HOSTILE_PAGES[name]) });
    const started = Date.now();
    const result = await outcome(new ResearchService(http).research(site.url('/')));
    expect(Date.now() - started).toBeLessThan(A_FEW_SECONDS);
    // Some of these pages have no letters to read at all (site_empty); none may need the deadline.
    if (result instanceof ResearchError) expect(result.failure).toBe('site_empty');
  });

  test('facts after a 1.2 MB paragraph are still found', async () => {
    const site = await serve({ '/': gzipped(HOSTILE_PAGES['letters-paragraph']) });
    const report = await new ResearchService(http).research(site.url('/'));
    expect(report.profile.telephone?.value).toBe('(512) 555-0142');
  });

  test('hostile subpages cost the crawl no more than ordinary ones', async () => {
    const site = await serve({
      '/': { kind: 'content', contentType: 'text/html; charset=utf-8', body: HOME },
      '/services': gzipped(HOSTILE_PAGES['service-name-of-dashes']),
      '/faq': gzipped(HOSTILE_PAGES['json-ld-faq-of-angle-brackets']),
      '/contact': gzipped(HOSTILE_PAGES['letters-paragraph']),
    });
    const started = Date.now();
    const report = await new ResearchService(http).research(site.url('/'));
    expect(Date.now() - started).toBeLessThan(A_FEW_SECONDS);
    expect(report.pages.map((p) => new URL(p.url).pathname).sort()).toEqual(['/', '/contact', '/faq', '/services']);
    expect(report.profile.email?.value).toBe('hello@harbor.example');
  });
});

describe('extraction deadline', () => {
  const tight: Partial<CrawlLimits> = { extractionTimeoutMs: 300 };

  test('a subpage that overruns its budget is skipped as unreadable; the rest of the site is researched', async () => {
    const site = await serve({
      '/': { kind: 'content', contentType: 'text/html; charset=utf-8', body: HOME },
      '/services': gzipped(enormousPage()),
    });
    const started = Date.now();
    const report = await new ResearchService(http, tight).research(site.url('/'));
    expect(Date.now() - started).toBeLessThan(A_FEW_SECONDS);
    expect(report.skipped).toContainEqual({ url: site.url('/services'), reason: 'unreadable', detail: expect.stringContaining('its 300 ms budget') });
    expect(report.pages.map((p) => new URL(p.url).pathname)).toEqual(['/']);
    expect(report.profile.telephone?.value).toBe('(512) 555-0142');
  });

  test('a home page that overruns its budget fails the research as page_unreadable, not retryable', async () => {
    const site = await serve({ '/': gzipped(enormousPage()) });
    const started = Date.now();
    const result = await outcome(new ResearchService(http, tight).research(site.url('/')));
    expect(Date.now() - started).toBeLessThan(A_FEW_SECONDS);
    expect(result).toBeInstanceOf(ResearchError);
    expect(result).toMatchObject({ failure: 'page_unreadable', retryable: false, url: site.url('/') });
  });

  test('the pool replaces a thread it killed and goes on serving pages', async () => {
    const pool = new ExtractionPool({ size: 1 });
    try {
      const raw = (html: string) => ({ url: 'http://pool.test/', kind: 'home' as const, status: 200, bytes: html.length, body: Buffer.from(html) });
      const killed = await pool.extract(raw(enormousPage()), 300).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(killed).toBeInstanceOf(PageExtractionFailed);
      expect(killed).toMatchObject({ reason: 'deadline', url: 'http://pool.test/' });
      const digest = await pool.extract(raw(HOME), 5_000);
      expect(digest.title).toBe('Harbor Dental');
      expect(digest.facts.telephone.map((t) => t.value)).toContain('(512) 555-0142');
    } finally {
      await pool.close();
    }
  });
});
