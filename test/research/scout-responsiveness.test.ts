import zlib from 'node:zlib';
import { startApi, type ApiHarness } from '../support/api-harness';
import { startFixtureSite, type FixtureRoute, type FixtureSite } from '../support/fixture-site-server';
import { client } from '../support/http-client';
import { A_FEW_SECONDS, HOSTILE_PAGES } from './hostile-pages';

/**
 * The API process researches sites itself (POST /v2/scout/research). While it reads a page built
 * to pin the CPU, it must go on answering everyone else: /healthz is polled back to back for the
 * whole research: 95 % of its answers come within 100 ms and none waits a second.
 */
let api: ApiHarness;
let site: FixtureSite;

function gzipped(html: string): FixtureRoute {
  return { kind: 'content', contentType: 'text/html; charset=utf-8', body: zlib.gzipSync(html), headers: { 'content-encoding': 'gzip' } };
}

beforeAll(async () => {
  api = await startApi({ label: 'scout-responsiveness' });
  site = await startFixtureSite(null, {
    '/': gzipped(HOSTILE_PAGES['letters-paragraph'].replace('</body>', '<a href="/faq">FAQ</a> <a href="/services">Services</a></body>')),
    '/faq': gzipped(HOSTILE_PAGES['json-ld-faq-of-angle-brackets']),
    '/services': gzipped(HOSTILE_PAGES['service-name-of-dashes']),
  });
});
afterAll(async () => {
  await site.close();
  await api.close();
});

test('/healthz keeps answering (p95 under 100 ms, none over 1 s) throughout a scout research of hostile pages', async () => {
  const { token } = await api.createAccount();
  let finished = false;
  const started = Date.now();
  const research = client(api.baseUrl, token)
    .post('/v2/scout/research', { business_url: site.url('/') })
    .finally(() => {
      finished = true;
    });

  const latencies: number[] = [];
  while (!finished) {
    const sent = performance.now();
    const res = await fetch(`${api.baseUrl}/healthz`);
    await res.arrayBuffer();
    latencies.push(performance.now() - sent);
    expect(res.status).toBe(200);
  }

  const res = await research;
  expect(Date.now() - started).toBeLessThan(A_FEW_SECONDS);
  expect(res.status).toBe(200);
  expect(res.body.pages.map((p: { url: string }) => new URL(p.url).pathname).sort()).toEqual(['/', '/faq', '/services']);
  expect(res.body.profile.telephone).toMatchObject({ value: '(512) 555-0142' });
  // Back-to-back polling over the whole research: dozens of answers, not a handful.
  expect(latencies.length).toBeGreaterThan(10);
  // Parsing on the event loop would hold it for seconds per hostile page and slow most answers:
  // 95 % of them come within 100 ms, and none waits a second. (A single answer over 100 ms is what
  // the OS scheduler alone does on this shared 2-core machine under a parallel suite: CI saw 169 ms.)
  const sorted = [...latencies].sort((x, y) => x - y);
  expect(sorted[Math.floor(sorted.length * 0.95)]).toBeLessThan(100);
  expect(sorted[sorted.length - 1]).toBeLessThan(1000);
});
