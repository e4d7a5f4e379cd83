import { startApi, ApiHarness } from '../support/api-harness';
import { client, expectError, request } from '../support/http-client';

let api: ApiHarness;
let token: string;
beforeAll(async () => {
  api = await startApi({ label: 'bodies' });
  token = (await api.createAccount()).token;
});
afterAll(() => api.close());

describe('request bodies', () => {
  it('deeply nested JSON in a batch payload is a 400 naming the limit, not a 500', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const res = await request(api.baseUrl, 'POST', '/v2/agents/batch', { token, rawBody: `{"items":[{"payload":${deep}}]}`, headers: { 'content-type': 'application/json' } });
    const err = expectError(res, 400, 'VALIDATION_ERROR');
    expect(err.details[0]).toMatchObject({ field: 'body', issue: 'too_deep', max_depth: 32 });
    // Brackets inside strings are text, not nesting.
    const flat = await request(api.baseUrl, 'POST', '/v2/service-accounts', { token, body: { name: `${'['.repeat(100)}${'{'.repeat(100)}` } });
    expect(flat.status).toBe(201);
  });
});

describe('GET /v2/templates', () => {
  it('pages with limit and cursor like every list, each template once', async () => {
    const c = client(api.baseUrl, token);
    const all = (await c.get('/v2/templates?limit=100')).body;
    expect(all.data.length).toBeGreaterThanOrEqual(8);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await c.get(`/v2/templates?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body;
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((t: { id: string }) => t.id));
      expect(page.has_more).toBe(page.next_cursor !== null);
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.data.map((t: { id: string }) => t.id));
    expectError(await c.get('/v2/templates?limit=0'), 400, 'VALIDATION_ERROR');
    expectError(await c.get('/v2/templates?cursor=bm90LWEtY3Vyc29y'), 400, 'INVALID_CURSOR');
  });
});
