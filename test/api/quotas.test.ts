import http from 'node:http';
import { ERROR_CODES } from '../../core/errors/errors';
import { startApi, ApiHarness } from '../support/api-harness';
import { client, expectError, TestResponse } from '../support/http-client';

/**
 * Per-account quotas and the rate-limit buckets beside the per-credential one, against the real
 * API and FerretDB. Each limit is set small through the config the environment would give.
 */
let api: ApiHarness;
const QUOTAS = {
  accountRequestsPerMinute: 8,
  tokenRequestsPerIpPerMinute: 1000,
  researchPerMinute: 2,
  maxEventStreams: 2,
  maxWebhooks: 2,
  maxServiceAccounts: 3,
  maxOperationsInFlight: 3,
};

beforeAll(async () => {
  api = await startApi({ label: 'quotas', config: { quotas: QUOTAS } });
});
afterAll(() => api.close());

/** Fixed windows turn over on the minute; start a burst well inside one so the count is deterministic. */
async function awayFromWindowEdge(): Promise<void> {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoWindow));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function expectQuota(res: TestResponse, quota: string, retryable: boolean) {
  const err = expectError(res, 429, 'QUOTA_EXCEEDED');
  expect(err.details[0]).toMatchObject({ issue: 'quota_exceeded', quota });
  expect(err.retryable).toBe(retryable);
  if (retryable) {
    expect(err.recovery).toBe('retry_after_delay');
    expect(err.retry_after).toBeGreaterThan(0);
    expect(Number(res.headers.get('retry-after'))).toBe(err.retry_after);
  } else {
    expect(err.recovery).toBe('fix_request');
  }
  return err;
}

const agentPayload = (name: string) => ({ payload: { name, platform: 'local', business_url: 'http://127.0.0.1:9/', template_id: 'dental_receptionist' } });

describe('account rate-limit bucket', () => {
  it('counts every credential of an account together, beside each credential’s own bucket', async () => {
    const acct = await api.createAccount();
    const second = await api.core.serviceAccounts.create(acct.accountId, { name: 'second' });
    const other = await api.createAccount('Other Co');
    await awayFromWindowEdge();
    for (let i = 0; i < QUOTAS.accountRequestsPerMinute; i++) {
      const res = await client(api.baseUrl, i % 2 ? second.client_secret : acct.token).get('/v2/account');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toContain(`"account";q=${QUOTAS.accountRequestsPerMinute};w=60`);
    }
    // Neither credential is near its own limit (600), the account is at its limit.
    const limited = await client(api.baseUrl, second.client_secret).get('/v2/account');
    const err = expectError(limited, 429, 'RATE_LIMITED');
    expect(err.details[0]).toMatchObject({ issue: 'account_rate_limited', limit: QUOTAS.accountRequestsPerMinute });
    expect(err.retry_after).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBe(err.retry_after);
    // Another account has its own bucket.
    expect((await client(api.baseUrl, other.token).get('/v2/account')).status).toBe(200);
  });
});

describe('token endpoint per client IP', () => {
  it('answers 429 RATE_LIMITED with Retry-After once an IP spent its minute, right credentials or not', async () => {
    const small = await startApi({ label: 'quotas_ip', config: { quotas: { ...QUOTAS, tokenRequestsPerIpPerMinute: 3 } } });
    try {
      await awayFromWindowEdge();
      const ask = () => client(small.baseUrl).post('/v2/auth/token', { grant_type: 'client_credentials', client_id: 'sa_nobody', client_secret: 'sk_live_wrong' });
      for (let i = 0; i < 3; i++) {
        const res = await ask();
        expect(res.status).toBe(401);
        expect(res.headers.get('ratelimit-policy')).toBe('"ip";q=3;w=60');
      }
      const limited = await ask();
      const err = expectError(limited, 429, 'RATE_LIMITED');
      expect(err.details[0]).toMatchObject({ issue: 'ip_rate_limited', limit: 3 });
      expect(Number(limited.headers.get('retry-after'))).toBe(err.retry_after);
      const doc = (await client(small.baseUrl).get('/v2/openapi.json')).body as any;
      expect(doc.paths['/v2/auth/token'].post.responses['429']).toBeDefined();
    } finally {
      await small.close();
    }
  });
});

describe('research requests per account per minute', () => {
  it('counts POST /v2/scout/research per account and answers 429 RATE_LIMITED beyond the limit', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    await awayFromWindowEdge();
    // Port 9 on loopback refuses at once: the research fails quickly, but it was a research request.
    for (let i = 0; i < QUOTAS.researchPerMinute; i++) expect((await c.post('/v2/scout/research', { business_url: 'http://127.0.0.1:9/' })).status).toBe(422);
    const limited = await c.post('/v2/scout/research', { business_url: 'http://127.0.0.1:9/' });
    const err = expectError(limited, 429, 'RATE_LIMITED');
    expect(err.details[0]).toMatchObject({ issue: 'research_rate_limited', limit: QUOTAS.researchPerMinute });
    expect(err.retry_after).toBeGreaterThan(0);
  });
});

describe('count quotas', () => {
  it('service accounts: active ones count, a revoked one frees room, and the 429 is not stored under the key', async () => {
    const acct = await api.createAccount(); // holds one already
    const c = client(api.baseUrl, acct.token);
    const made: string[] = [];
    for (let i = 1; i < QUOTAS.maxServiceAccounts; i++) {
      const res = await c.post('/v2/service-accounts', { name: `sa ${i}` });
      expect(res.status).toBe(201);
      made.push(res.body.id);
    }
    expectQuota(await c.post('/v2/service-accounts', { name: 'one too many' }, { idempotencyKey: 'sa-quota' }), 'service_accounts', false);
    expect((await c.delete(`/v2/service-accounts/${made[0]}`)).status).toBeLessThan(300);
    // The same key runs now: the 429 was not its stored outcome.
    expect((await c.post('/v2/service-accounts', { name: 'one too many' }, { idempotencyKey: 'sa-quota' })).status).toBe(201);
  });

  it('webhooks: live subscriptions count, a deleted one frees room', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    const ids: string[] = [];
    for (let i = 0; i < QUOTAS.maxWebhooks; i++) {
      const res = await c.post('/v2/webhooks', { url: `http://127.0.0.1:9/hook-${i}` });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    expectQuota(await c.post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook-x' }), 'webhooks', false);
    // Another account is not affected.
    const other = await api.createAccount();
    expect((await client(api.baseUrl, other.token).post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook-o' })).status).toBe(201);
    expect((await c.delete(`/v2/webhooks/${ids[0]}`)).status).toBe(204);
    expect((await c.post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook-x' })).status).toBe(201);
  });

  it('operations in flight: pending and running count, a batch counts its items, finished ones free room', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    // No workflow engine in this harness: accepted operations stay pending, i.e. in flight.
    const first = await c.post('/v2/agents', agentPayload('a1'));
    expect(first.status).toBe(202);
    const batch = await c.post('/v2/agents/batch', { items: [agentPayload('b1'), agentPayload('b2')] });
    expect(batch.status).toBe(202);
    await api.core.models.operations.updateOne({ _id: first.body.operation_id }, { $set: { status: 'running' } });
    expect(await api.core.quotas.operationsInFlight(acct.accountId)).toBe(3);

    expectQuota(await c.post('/v2/agents', agentPayload('a2')), 'operations_in_flight', true);
    // A change of an agent is an operation too.
    expectQuota(await c.delete(`/v2/agents/${first.body.agent_id}`), 'operations_in_flight', true);

    await api.core.models.operations.updateOne({ _id: first.body.operation_id }, { $set: { status: 'active' } });
    // One free slot: a batch of two still does not fit, a single agent does.
    expectQuota(await c.post('/v2/agents/batch', { items: [agentPayload('b3'), agentPayload('b4')] }), 'operations_in_flight', true);
    expect((await c.post('/v2/agents', agentPayload('a3'))).status).toBe(202);
  });

  it('every route that answers QUOTA_EXCEEDED declares it in the OpenAPI document, as a 429', async () => {
    expect(ERROR_CODES.QUOTA_EXCEEDED.status).toBe(429);
    const doc = (await client(api.baseUrl).get('/v2/openapi.json')).body as any;
    const declaring = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => (op['x-error-codes'] ?? []).includes('QUOTA_EXCEEDED'))
        .map(([method, op]) => {
          expect(op.responses['429']).toBeDefined();
          return `${method.toUpperCase()} ${path}`;
        }),
    );
    expect(declaring.sort()).toEqual(
      [
        'POST /v2/agents',
        'POST /v2/agents/batch',
        'PATCH /v2/agents/{id}',
        'DELETE /v2/agents/{id}',
        'POST /v2/agents/{id}/prompt-versions/{version}/rollback',
        'POST /v2/service-accounts',
        'POST /v2/webhooks',
        'GET /v2/events',
      ].sort(),
    );
  });
});

describe('concurrent event streams', () => {
  /** Opens an SSE connection and resolves with its status once headers arrive. */
  function openStream(token: string): Promise<{ status: number; body: string; close: () => void }> {
    const url = new URL(`${api.baseUrl}/v2/events`);
    return new Promise((resolve, reject) => {
      const req = http.get(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode === 200) return resolve({ status: 200, body: '', close: () => req.destroy() });
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, close: () => undefined }));
      });
      req.on('error', reject);
    });
  }

  it('holds one slot per stream: concurrent opens beyond the quota get 429, a closed stream frees its slot', async () => {
    const acct = await api.createAccount();
    const opened = await Promise.all(Array.from({ length: 5 }, () => openStream(acct.token)));
    const ok = opened.filter((s) => s.status === 200);
    const refused = opened.filter((s) => s.status === 429);
    expect(ok).toHaveLength(QUOTAS.maxEventStreams);
    expect(refused).toHaveLength(5 - QUOTAS.maxEventStreams);
    const err = JSON.parse(refused[0].body).error;
    expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', retryable: true, details: [expect.objectContaining({ quota: 'concurrent_event_streams' })] });

    // Another account streams regardless; JSON pages of the log are not streams.
    const other = await api.createAccount();
    const theirs = await openStream(other.token);
    expect(theirs.status).toBe(200);
    theirs.close();
    expect((await client(api.baseUrl, acct.token).get('/v2/events?format=json')).status).toBe(200);

    ok[0].close();
    const again = await until('a freed slot', async () => {
      const s = await openStream(acct.token);
      return s.status === 200 ? s : undefined;
    });
    again.close();
    ok[1].close();
  });

  it('takes over a slot whose holder died (expired lease)', async () => {
    const acct = await api.createAccount();
    const past = new Date(Date.now() - 1000);
    for (let n = 0; n < QUOTAS.maxEventStreams; n++) {
      await api.core.models.streamSlots.create({ _id: `${acct.accountId}:${n}`, account_id: acct.accountId, holder: 'dead-process', expires_at: past });
    }
    const s = await openStream(acct.token);
    expect(s.status).toBe(200);
    s.close();
  });
});
