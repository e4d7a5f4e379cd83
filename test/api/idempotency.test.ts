import { startApi, ApiHarness } from '../support/api-harness';
import { client, expectError } from '../support/http-client';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ label: 'idem' });
});
afterAll(() => api.close());

async function countServiceAccounts(accountId: string, name: string): Promise<number> {
  return api.db.connection.db!.collection('service_accounts').countDocuments({ account_id: accountId, name });
}

describe('Idempotency-Key', () => {
  it('replays the stored response for the same key and request, creating nothing new', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    const first = await c.post('/v2/service-accounts', { name: 'replayed', scopes: ['agents:read'] }, { idempotencyKey: 'create-replayed-1' });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // Same object, different key order: still the same request.
    const second = await c.post('/v2/service-accounts', { scopes: ['agents:read'], name: 'replayed' }, { idempotencyKey: 'create-replayed-1' });
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(await countServiceAccounts(acct.accountId, 'replayed')).toBe(1);
    // The stored response showed a secret once; the store must not keep it readable.
    const stored = await api.db.connection.db!.collection('idempotency_keys').findOne({ key: 'create-replayed-1' });
    expect(JSON.stringify(stored)).not.toContain(first.body.client_secret);
    expect(second.body.client_secret).toBe(first.body.client_secret);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED when the key comes back with a different request', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    expect((await c.post('/v2/service-accounts', { name: 'a' }, { idempotencyKey: 'k-mismatch' })).status).toBe(201);
    const err = expectError(await c.post('/v2/service-accounts', { name: 'b' }, { idempotencyKey: 'k-mismatch' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(err.recovery).toBe('use_new_idempotency_key');
    expect(await countServiceAccounts(acct.accountId, 'b')).toBe(0);
  });

  it('keeps keys per account: another account may use the same key', async () => {
    const a = await api.createAccount();
    const b = await api.createAccount();
    expect((await client(api.baseUrl, a.token).post('/v2/service-accounts', { name: 'same-key' }, { idempotencyKey: 'shared-key' })).status).toBe(201);
    const res = await client(api.baseUrl, b.token).post('/v2/service-accounts', { name: 'same-key' }, { idempotencyKey: 'shared-key' });
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(res.body.account_id).toBe(b.accountId);
  });

  it('never executes concurrent duplicates twice, across two API instances', async () => {
    const acct = await api.createAccount();
    const sibling = await api.startSibling();
    try {
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          client(i % 2 ? sibling.baseUrl : api.baseUrl, acct.token).post('/v2/service-accounts', { name: 'racer' }, { idempotencyKey: 'race-1' }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      for (const r of results.filter((x) => x.status === 409)) {
        const err = expectError(r, 409, 'IDEMPOTENCY_KEY_IN_USE');
        expect(err.retryable).toBe(true);
      }
      const created = results.filter((r) => r.status === 201);
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
      expect(await countServiceAccounts(acct.accountId, 'racer')).toBe(1);
      // After the race, a retry gets the stored answer.
      const retry = await client(api.baseUrl, acct.token).post('/v2/service-accounts', { name: 'racer' }, { idempotencyKey: 'race-1' });
      expect(retry.status).toBe(201);
      expect(retry.body.id).toBe(created[0].body.id);
    } finally {
      await sibling.close();
    }
  });

  it('does not store rejections that happened before execution', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    expectError(await c.post('/v2/service-accounts', { name: '' }, { idempotencyKey: 'k-invalid-first' }), 400, 'VALIDATION_ERROR');
    expectError(await client(api.baseUrl, 'sk_live_wrong').post('/v2/service-accounts', { name: 'x' }, { idempotencyKey: 'k-invalid-first' }), 401, 'UNAUTHENTICATED');
    const ok = await c.post('/v2/service-accounts', { name: 'valid now' }, { idempotencyKey: 'k-invalid-first' });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('idempotent-replayed')).toBeNull();
  });

  it('replays a definite error outcome such as 404 on delete', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    const missing = 'sa_01m8h42tjf2497t8a180fbw85f';
    expectError(await c.delete(`/v2/service-accounts/${missing}`, { idempotencyKey: 'del-missing' }), 404, 'NOT_FOUND');
    const again = await c.delete(`/v2/service-accounts/${missing}`, { idempotencyKey: 'del-missing' });
    expect(again.status).toBe(404);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('lets a retry take over a key whose first request died, with the same claim time to derive IDs from', async () => {
    const acct = await api.createAccount();
    const claimedAt = new Date(Date.now() - 120_000);
    // What a request that crashed two minutes ago leaves behind: a claim whose lock has expired.
    await api.db.connection.db!.collection('idempotency_keys').insertOne({
      _id: `${acct.accountId}:crashed-key`, account_id: acct.accountId, key: 'crashed-key', fingerprint: 'f1', state: 'in_progress',
      locked_until: new Date(Date.now() - 60_000), response: null, created_at: claimedAt, expires_at: new Date(Date.now() + 3600_000),
    } as never);
    const decision = await api.core.idempotency.begin(acct.accountId, 'crashed-key', 'f1');
    expect(decision).toEqual({ kind: 'execute', claimedAt });
    await expect(api.core.idempotency.begin(acct.accountId, 'crashed-key', 'f1')).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
  });

  it('rejects keys longer than 255 characters', async () => {
    const acct = await api.createAccount();
    const err = expectError(await client(api.baseUrl, acct.token).post('/v2/service-accounts', { name: 'x' }, { idempotencyKey: 'k'.repeat(256) }), 400, 'VALIDATION_ERROR');
    expect(err.details[0].field).toBe('Idempotency-Key');
    const ok = await client(api.baseUrl, acct.token).post('/v2/service-accounts', { name: 'x' }, { idempotencyKey: 'k'.repeat(255) });
    expect(ok.status).toBe(201);
  });

  it('expires keys after 24 hours by sweep (FerretDB has no TTL indexes)', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    expect((await c.post('/v2/service-accounts', { name: 'old' }, { idempotencyKey: 'k-expire' })).status).toBe(201);
    const swept = await api.core.idempotency.sweepExpired(new Date(Date.now() + 24 * 3600 * 1000 + 1000));
    expect(swept).toBeGreaterThanOrEqual(1);
    const fresh = await c.post('/v2/service-accounts', { name: 'new' }, { idempotencyKey: 'k-expire' });
    expect(fresh.status).toBe(201);
    expect(fresh.body.name).toBe('new');
  });
});
