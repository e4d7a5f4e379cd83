import { startApi, ApiHarness } from '../support/api-harness';
import { client, expectError } from '../support/http-client';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ label: 'ratelimit', config: { rateLimit: { requestsPerWindow: 6, windowSeconds: 60 } } });
});
afterAll(() => api.close());

/** Fixed windows turn over on the minute; start a burst well inside one so the count is deterministic. */
async function awayFromWindowEdge(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 55_000) await new Promise((r) => setTimeout(r, 60_500 - intoWindow));
}

function parseRateLimit(header: string | null): { r: number; t: number } {
  const m = /"default";r=(\d+);t=(\d+)/.exec(header ?? '');
  if (!m) throw new Error(`bad RateLimit header: ${header}`);
  return { r: Number(m[1]), t: Number(m[2]) };
}

describe('rate limits per credential', () => {
  it('advertises the policy, counts down, then answers 429 with Retry-After no earlier than the reset — across API instances', async () => {
    const acct = await api.createAccount();
    const sibling = await api.startSibling();
    await awayFromWindowEdge();
    try {
      const remaining: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await client(i % 2 ? sibling.baseUrl : api.baseUrl, acct.token).get('/v2/account');
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-policy')).toBe('"default";q=6;w=60, "account";q=3000;w=60');
        remaining.push(parseRateLimit(res.headers.get('ratelimit')).r);
      }
      expect(remaining).toEqual([5, 4, 3, 2, 1, 0]);

      const limited = await client(sibling.baseUrl, acct.token).get('/v2/account');
      const err = expectError(limited, 429, 'RATE_LIMITED');
      expect(err.retryable).toBe(true);
      expect(err.recovery).toBe('retry_after_delay');
      const reset = parseRateLimit(limited.headers.get('ratelimit')).t;
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(reset);
      expect(err.retry_after).toBe(Number(limited.headers.get('retry-after')));

      // Another credential of the same account has its own budget.
      const other = await api.core.serviceAccounts.create(acct.accountId, { name: 'other' });
      expect((await client(api.baseUrl, other.client_secret).get('/v2/account')).status).toBe(200);
    } finally {
      await sibling.close();
    }
  });

  it('does not store a rate-limited request under its idempotency key', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    await awayFromWindowEdge();
    for (let i = 0; i < 6; i++) await c.get('/v2/account');
    expectError(await c.post('/v2/service-accounts', { name: 'late' }, { idempotencyKey: 'rl-key' }), 429, 'RATE_LIMITED');
    const stored = await api.db.connection.db!.collection('idempotency_keys').countDocuments({ key: 'rl-key' });
    expect(stored).toBe(0);
  });
});
