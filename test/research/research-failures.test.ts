import net from 'node:net';
import { OutboundHttpClient } from '../../core/outbound/outbound-http-client';
import { OutboundUrlRefused } from '../../core/outbound/outbound-url-guard';
import { ResearchError } from '../../core/research/research-report';
import { ResearchService } from '../../core/research/research-service';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site-server';

/** When the home page cannot be read, research fails with a reason a caller can act on. */
const permissive = new OutboundHttpClient({ allowPrivateNetworks: true });
afterAll(() => permissive.close());

const sites: FixtureSite[] = [];
afterEach(async () => {
  await Promise.all(sites.splice(0).map((s) => s.close()));
});
async function serve(name: string | null): Promise<FixtureSite> {
  const site = await startFixtureSite(name);
  sites.push(site);
  return site;
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

describe('home page failures', () => {
  test.each([
    ['/document.pdf', 'application/pdf'],
    ['/data.json', 'application/json'],
    ['/image.png', 'image/png'],
  ])('%s is not_html (%s), not retryable', async (path, type) => {
    const site = await serve(null);
    const err = await failure(new ResearchService(permissive).research(site.url(path)));
    expect(err).toMatchObject({ failure: 'not_html', retryable: false, url: site.url(path) });
    expect(err.message).toContain(type);
  });

  test.each([
    ['/error-500', true],
    ['/rate-limited', true],
    ['/error-404', false],
  ])('%s is a site_error, retryable: %s', async (path, retryable) => {
    const site = await serve(null);
    const err = await failure(new ResearchService(permissive).research(site.url(path)));
    expect(err).toMatchObject({ failure: 'site_error', retryable });
  });

  test('a JavaScript shell with no text and no structured data is site_empty', async () => {
    const site = await serve(null);
    const err = await failure(new ResearchService(permissive).research(site.url('/empty')));
    expect(err).toMatchObject({ failure: 'site_empty', retryable: false });
  });

  test('a redirect loop is a site_error, not retryable', async () => {
    const site = await serve(null);
    const err = await failure(new ResearchService(permissive).research(site.url('/redirect-loop')));
    expect(err).toMatchObject({ failure: 'site_error', retryable: false });
    expect(site.hits('/redirect-loop')).toBe(6);
  });

  test('nothing listening on the port is site_unreachable, retryable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const err = await failure(new ResearchService(permissive).research(`http://127.0.0.1:${port}/`));
    expect(err).toMatchObject({ failure: 'site_unreachable', retryable: true, url: `http://127.0.0.1:${port}/` });
    expect(err.message).toContain('ECONNREFUSED');
  });

  test.each([
    ['ftp://example.com/', 'unsupported_scheme'],
    ['http://user:secret@example.com/', 'credentials_in_url'],
    ['http://exa mple.com/', 'invalid_url'],
  ])('%s is refused before any request (%s)', async (url, reason) => {
    const err = await failure(new ResearchService(permissive).research(url));
    expect(err).toMatchObject({ failure: 'url_refused', retryable: false });
    expect((err.cause as OutboundUrlRefused).reason).toBe(reason);
  });

  test('a bare domain is researched over https', async () => {
    // .invalid never resolves (RFC 2606): the point is which URL was tried, and that it is retryable.
    const err = await failure(new ResearchService(permissive, { timeBudgetMs: 5000 }).research('bright-smile.invalid'));
    expect(err).toMatchObject({ failure: 'site_unreachable', retryable: true });
    expect(err.message).toContain('https://bright-smile.invalid/');
  });
});

describe('SSRF guard', () => {
  test('with private networks refused (production), a loopback site is url_refused and never contacted', async () => {
    const site = await serve('bright-smile-dental');
    const strict = new OutboundHttpClient({ allowPrivateNetworks: false });
    try {
      const err = await failure(new ResearchService(strict).research(site.url('/')));
      expect(err).toMatchObject({ failure: 'url_refused', retryable: false });
      expect((err.cause as OutboundUrlRefused).reason).toBe('private_address');
      expect(site.requests).toEqual([]);
    } finally {
      strict.close();
    }
  });

  /**
   * The fixture server lives on loopback, so reaching it at all needs an exception to the
   * production guard, and OutboundGuardOptions deliberately has no per-address allowance. This
   * client is the production configuration (allowPrivateNetworks: false) with one exception in
   * checkUrl: the fixture origin itself. Every other hop, redirect targets included, goes through
   * the unmodified guard: the literal-IP check in checkUrl, and for host names the DNS lookup hook
   * in the agent (127.0.0.1 literals never reach that hook, which is why the exception works).
   * If redirects were not re-checked, these tests would connect to 169.254.169.254 or back to
   * the fixture server and fail with a different error or a recorded request.
   */
  class FixtureOriginOnlyClient extends OutboundHttpClient {
    constructor(private readonly fixtureOrigin: string) {
      super({ allowPrivateNetworks: false });
    }

    override checkUrl(url: string): URL {
      const parsed = new URL(url);
      return parsed.origin === this.fixtureOrigin ? parsed : super.checkUrl(url);
    }
  }

  test('a home page redirecting to the cloud metadata address is refused at the redirect hop', async () => {
    const site = await serve(null);
    const client = new FixtureOriginOnlyClient(site.origin);
    try {
      const err = await failure(new ResearchService(client).research(site.url('/redirect-to-metadata')));
      expect(err).toMatchObject({ failure: 'url_refused', retryable: false, url: site.url('/redirect-to-metadata') });
      expect(err.cause).toBeInstanceOf(OutboundUrlRefused);
      expect(err.cause).toMatchObject({ reason: 'private_address', url: 'http://169.254.169.254/latest/meta-data/' });
    } finally {
      client.close();
    }
  });

  test('a redirect to a host name that resolves to loopback is refused by the DNS hook, and the target is never requested', async () => {
    const site = await serve('bright-smile-dental');
    const client = new FixtureOriginOnlyClient(site.origin);
    try {
      const err = await failure(new ResearchService(client).research(site.url('/redirect-to-loopback')));
      expect(err).toMatchObject({ failure: 'url_refused', retryable: false });
      expect((err.cause as OutboundUrlRefused).reason).toBe('private_address');
      // The redirect pointed back at this very server ("localhost:<port>/"); it never got there.
      expect(site.requests.map((r) => r.path)).toEqual(['/robots.txt', '/redirect-to-loopback']);
    } finally {
      client.close();
    }
  });

  test('a subpage redirecting to a private address is skipped as refused; the rest of the crawl is unaffected', async () => {
    const site = await startFixtureSite('bright-smile-dental', { '/faq': { kind: 'redirect', to: 'http://169.254.169.254/latest/meta-data/iam/' } });
    sites.push(site);
    const client = new FixtureOriginOnlyClient(site.origin);
    try {
      const report = await new ResearchService(client).research(site.url('/'));
      const skip = report.skipped.find((s) => s.url === site.url('/faq'));
      expect(skip).toMatchObject({ reason: 'refused' });
      expect(skip?.detail).toContain('private_address');
      expect(skip?.detail).toContain('169.254.169.254');
      expect(report.pages.map((p) => new URL(p.url).pathname)).not.toContain('/faq');
      expect(report.pages).toHaveLength(7);
    } finally {
      client.close();
    }
  });
});
