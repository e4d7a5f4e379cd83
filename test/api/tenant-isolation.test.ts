import { startApi, ApiHarness } from '../support/api-harness';
import { client, expectError } from '../support/http-client';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ label: 'tenancy' });
});
afterAll(() => api.close());

describe('tenant isolation', () => {
  it("answers 404, never 403, for another account's resources and never lists them", async () => {
    const a = await api.createAccount('Alpha');
    const b = await api.createAccount('Beta');
    const alphaBot = await client(api.baseUrl, a.token).post('/v2/service-accounts', { name: 'alpha-bot' });
    const asBeta = client(api.baseUrl, b.token);

    expectError(await asBeta.get(`/v2/service-accounts/${alphaBot.body.id}`), 404, 'NOT_FOUND');
    expectError(await asBeta.delete(`/v2/service-accounts/${alphaBot.body.id}`), 404, 'NOT_FOUND');
    const list = await asBeta.get('/v2/service-accounts?limit=100');
    expect(list.body.data.map((s: { account_id: string }) => s.account_id)).toEqual(list.body.data.map(() => b.accountId));
    expect(list.body.data.find((s: { id: string }) => s.id === alphaBot.body.id)).toBeUndefined();

    // Beta's failed revoke did nothing to Alpha's credential.
    const still = await client(api.baseUrl, alphaBot.body.client_secret).get('/v2/account');
    expect(still.status).toBe(200);
    expect(still.body.id).toBe(a.accountId);
    expect((await asBeta.get('/v2/account')).body.id).toBe(b.accountId);
  });
});
