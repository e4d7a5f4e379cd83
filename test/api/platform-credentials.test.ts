import { startApi, ApiHarness } from '../support/api-harness';
import { client, expectError } from '../support/http-client';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ label: 'creds' });
});
afterAll(() => api.close());

describe('platform credentials', () => {
  it('stores keys sealed, never returns them, and lets real platforms be provisioned only once configured', async () => {
    const acct = await api.createAccount();
    const c = client(api.baseUrl, acct.token);
    const key = 'xi-test-key-1234567890-abcdef';
    const put = await c.put('/v2/platform-credentials/elevenlabs', { api_key: key });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ object: 'platform_credential', platform: 'elevenlabs', hint: '…cdef', webhook_secret_set: false });
    expect(JSON.stringify(put.body)).not.toContain(key);
    expect((await c.put('/v2/platform-credentials/elevenlabs', { api_key: `${key}-2` })).status).toBe(200);

    const stored = await api.db.connection.db!.collection('platform_credentials').findOne({ account_id: acct.accountId });
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(await api.core.credentials.platformCredentials(acct.accountId, 'elevenlabs')).toEqual({ api_key: `${key}-2`, base_url: undefined });

    expect(await api.core.credentials.notificationSecret(acct.accountId, 'elevenlabs')).toBeNull();

    // A webhook secret is sealed with the key, shown only as a flag, and handed to the notification route.
    const webhookSecret = 'wsec_0123456789abcdef0123';
    const withSecret = await c.put('/v2/platform-credentials/elevenlabs', { api_key: `${key}-2`, webhook_secret: webhookSecret });
    expect(withSecret.status).toBe(200);
    expect(withSecret.body).toMatchObject({ webhook_secret_set: true });
    expect(JSON.stringify(withSecret.body)).not.toContain(webhookSecret);
    const sealed = await api.db.connection.db!.collection('platform_credentials').findOne({ account_id: acct.accountId, provider: 'elevenlabs' });
    expect(JSON.stringify(sealed)).not.toContain(webhookSecret);
    expect(await api.core.credentials.notificationSecret(acct.accountId, 'elevenlabs')).toBe(webhookSecret);
    expect(await api.core.credentials.platformCredentials(acct.accountId, 'elevenlabs')).toEqual({ api_key: `${key}-2`, base_url: undefined });
    expectError(await c.put('/v2/platform-credentials/vapi', { api_key: key, webhook_secret: 'short' }), 400, 'VALIDATION_ERROR');
    // Retell signs with the API key: that is its notification secret, and it takes no other.
    expectError(await c.put('/v2/platform-credentials/retell', { api_key: key, webhook_secret: webhookSecret }), 400, 'VALIDATION_ERROR');
    expect((await c.put('/v2/platform-credentials/retell', { api_key: 'key_retell_1234567890' })).status).toBe(201);
    expect(await api.core.credentials.notificationSecret(acct.accountId, 'retell')).toBe('key_retell_1234567890');
    expect(await api.core.credentials.notificationSecret(acct.accountId, 'vapi')).toBeNull();
    expect((await c.delete('/v2/platform-credentials/retell')).status).toBe(204);

    // Still no Twilio: a real platform cannot get a real number yet.
    const payload = { payload: { name: 'x', platform: 'elevenlabs', business_url: 'https://example.com', template_id: 'dental_receptionist' } };
    const err = expectError(await c.post('/v2/agents', payload), 422, 'PLATFORM_NOT_CONFIGURED');
    expect(err.details.map((d: { platform: string }) => d.platform)).toEqual(['twilio']);

    expectError(await c.put('/v2/platform-credentials/twilio', { api_key: 'not-the-twilio-shape' }), 400, 'VALIDATION_ERROR');
    expectError(await c.put('/v2/platform-credentials/elevenlabs', { api_key: key, base_url: 'http://attacker.example' }), 400, 'VALIDATION_ERROR');
    expect((await c.put('/v2/platform-credentials/twilio', { account_sid: `AC${'a'.repeat(32)}`, auth_token: 'twilio-token-123456' })).status).toBe(201);

    const list = await c.get('/v2/platform-credentials');
    expect(list.body.data.map((x: { platform: string; webhook_secret_set: boolean }) => [x.platform, x.webhook_secret_set])).toEqual([
      ['elevenlabs', true],
      ['twilio', false],
    ]);
    expect((await c.delete('/v2/platform-credentials/elevenlabs')).status).toBe(204);
    expectError(await c.delete('/v2/platform-credentials/elevenlabs'), 404, 'NOT_FOUND');

    // Another account sees nothing of this one's.
    const other = await api.createAccount();
    expect((await client(api.baseUrl, other.token).get('/v2/platform-credentials')).body.data).toEqual([]);
  });
});
