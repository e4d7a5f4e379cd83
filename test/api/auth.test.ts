import { startApi, ApiHarness } from '../support/api-harness';
import { client, expectError, request } from '../support/http-client';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ label: 'auth' });
});
afterAll(() => api.close());

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

describe('POST /v2/auth/token', () => {
  it('issues a bearer token from JSON credentials, as the quickstart shows', async () => {
    const acct = await api.createAccount();
    const res = await request(api.baseUrl, 'POST', '/v2/auth/token', {
      body: { client_id: acct.clientId, client_secret: acct.clientSecret, grant_type: 'client_credentials' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^eyJ/),
      expires_in: 3600,
      token_type: 'Bearer',
      scope: 'agents:read agents:write calls:read calls:write webhooks:manage account:admin',
    });
    expect(res.body).not.toHaveProperty('refresh_token');
    const me = await client(api.baseUrl, res.body.access_token).get('/v2/account');
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(acct.accountId);
  });

  it('accepts RFC 6749 form encoding with HTTP Basic client authentication and narrows scope', async () => {
    const acct = await api.createAccount();
    const res = await request(api.baseUrl, 'POST', '/v2/auth/token', {
      rawBody: form({ grant_type: 'client_credentials', scope: 'agents:read calls:read' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(acct.clientId, acct.clientSecret) },
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('agents:read calls:read');
  });

  it.each([
    ['missing grant_type', { client_id: 'sa_x', client_secret: 'y' }, 400, 'invalid_request'],
    ['unsupported grant', { grant_type: 'password', client_id: 'sa_x', client_secret: 'y' }, 400, 'unsupported_grant_type'],
    ['no client authentication', { grant_type: 'client_credentials' }, 401, 'invalid_client'],
    ['unknown client', { grant_type: 'client_credentials', client_id: 'sa_01m8h42tjf2497t8a180fbw85f', client_secret: 'sk_live_nope' }, 401, 'invalid_client'],
  ])('answers %s with the RFC 6749 §5.2 error', async (_name, body, status, error) => {
    const res = await request(api.baseUrl, 'POST', '/v2/auth/token', { body });
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error, error_description: expect.any(String), retryable: false, request_id: expect.stringMatching(/^req_/) });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('rejects a wrong secret with 401 invalid_client and a Basic challenge when Basic was used', async () => {
    const acct = await api.createAccount();
    const res = await request(api.baseUrl, 'POST', '/v2/auth/token', {
      rawBody: form({ grant_type: 'client_credentials' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(acct.clientId, `${acct.clientSecret}x`) },
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('refuses a scope the service account does not hold with invalid_scope', async () => {
    const acct = await api.createAccount();
    const narrow = await api.core.serviceAccounts.create(acct.accountId, { name: 'reader', scopes: ['agents:read'] });
    const res = await request(api.baseUrl, 'POST', '/v2/auth/token', {
      body: { grant_type: 'client_credentials', client_id: narrow.client_id, client_secret: narrow.client_secret, scope: 'agents:read agents:write' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_scope');
  });

  it('answers malformed JSON with invalid_request, not a stack trace', async () => {
    const res = await request(api.baseUrl, 'POST', '/v2/auth/token', { rawBody: '{"grant_type":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });
});

describe('bearer credentials and scopes', () => {
  it('accepts the secret key itself as a bearer token', async () => {
    const acct = await api.createAccount();
    const res = await client(api.baseUrl, acct.clientSecret).get('/v2/account');
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(acct.accountId);
  });

  it('enforces the scope each route declares, naming the missing scope', async () => {
    const acct = await api.createAccount();
    const tokenRes = await request(api.baseUrl, 'POST', '/v2/auth/token', {
      body: { grant_type: 'client_credentials', client_id: acct.clientId, client_secret: acct.clientSecret, scope: 'agents:read' },
    });
    const reader = client(api.baseUrl, tokenRes.body.access_token);
    for (const [method, path] of [
      ['get', '/v2/account'],
      ['get', '/v2/service-accounts'],
    ] as const) {
      const err = expectError(await reader[method](path), 403, 'INSUFFICIENT_SCOPE');
      expect(err.details[0].required_scope).toBe('account:admin');
      expect(err.recovery).toBe('request_scope');
    }
    const created = await reader.post('/v2/service-accounts', { name: 'x' });
    expectError(created, 403, 'INSUFFICIENT_SCOPE');
  });

  it('does not let a service account grant scopes it lacks', async () => {
    const acct = await api.createAccount();
    const admin = await api.core.serviceAccounts.create(acct.accountId, { name: 'admin-only', scopes: ['account:admin'] });
    const res = await client(api.baseUrl, admin.client_secret).post('/v2/service-accounts', { name: 'escalate', scopes: ['agents:write'] });
    const err = expectError(res, 403, 'INSUFFICIENT_SCOPE');
    expect(err.details[0].required_scope).toBe('agents:write');
  });

  it('rejects missing, malformed, forged and revoked credentials with 401', async () => {
    const acct = await api.createAccount();
    expectError(await client(api.baseUrl).get('/v2/account'), 401, 'UNAUTHENTICATED');
    expectError(await request(api.baseUrl, 'GET', '/v2/account', { headers: { authorization: 'Token abc' } }), 401, 'UNAUTHENTICATED');
    const forged = acct.token.slice(0, -4) + (acct.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expectError(await client(api.baseUrl, forged).get('/v2/account'), 401, 'UNAUTHENTICATED');

    const sa = await client(api.baseUrl, acct.token).post('/v2/service-accounts', { name: 'temp bot', scopes: ['account:admin'] });
    expect(sa.status).toBe(201);
    expect(sa.body.client_secret).toMatch(/^sk_live_/);
    const tok = await request(api.baseUrl, 'POST', '/v2/auth/token', {
      body: { grant_type: 'client_credentials', client_id: sa.body.client_id, client_secret: sa.body.client_secret },
    });
    expect((await client(api.baseUrl, tok.body.access_token).get('/v2/account')).status).toBe(200);

    const revoked = await client(api.baseUrl, acct.token).delete(`/v2/service-accounts/${sa.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expectError(await client(api.baseUrl, tok.body.access_token).get('/v2/account'), 401, 'UNAUTHENTICATED');
    expectError(await client(api.baseUrl, sa.body.client_secret).get('/v2/account'), 401, 'UNAUTHENTICATED');
    const again = await request(api.baseUrl, 'POST', '/v2/auth/token', {
      body: { grant_type: 'client_credentials', client_id: sa.body.client_id, client_secret: sa.body.client_secret },
    });
    expect(again.body.error).toBe('invalid_client');
  });

  it('shows a secret once and stores only its hash', async () => {
    const acct = await api.createAccount();
    const created = await client(api.baseUrl, acct.token).post('/v2/service-accounts', { name: 'bot' });
    const fetched = await client(api.baseUrl, acct.token).get(`/v2/service-accounts/${created.body.id}`);
    expect(fetched.body).not.toHaveProperty('client_secret');
    expect(fetched.body.secret_hint).toBe(created.body.client_secret.slice(0, 12));
    const raw = await api.db.connection.db!.collection('service_accounts').findOne({ _id: created.body.id } as never);
    expect(JSON.stringify(raw)).not.toContain(created.body.client_secret);
  });
});
