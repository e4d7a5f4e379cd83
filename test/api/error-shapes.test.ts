import { startApi, ApiHarness } from '../support/api-harness';
import { client, expectError, request } from '../support/http-client';

let api: ApiHarness;
let token: string;
beforeAll(async () => {
  api = await startApi({ label: 'errors', config: { maxBodyBytes: 4096 } });
  token = (await api.createAccount()).token;
});
afterAll(() => api.close());

describe('one structured error shape for every bad input', () => {
  it.each([
    ['malformed JSON', () => request(api.baseUrl, 'POST', '/v2/service-accounts', { token, rawBody: '{"name": "x"', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_JSON'],
    ['a body that is JSON but not an object', () => request(api.baseUrl, 'POST', '/v2/service-accounts', { token, rawBody: '"just a string"', headers: { 'content-type': 'application/json' } }), 400, 'VALIDATION_ERROR'],
    ['wrong content type', () => request(api.baseUrl, 'POST', '/v2/service-accounts', { token, rawBody: 'name=x', headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an oversized body', () => request(api.baseUrl, 'POST', '/v2/service-accounts', { token, body: { name: 'x'.repeat(10_000) } }), 413, 'PAYLOAD_TOO_LARGE'],
    ['an unknown route', () => client(api.baseUrl, token).get('/v2/does-not-exist'), 404, 'ROUTE_NOT_FOUND'],
    ['an unknown route without credentials', () => client(api.baseUrl).get('/nothing/here'), 404, 'ROUTE_NOT_FOUND'],
    ['a wrong method', () => client(api.baseUrl, token).put('/v2/account', {}), 405, 'METHOD_NOT_ALLOWED'],
    ['a malformed ID', () => client(api.baseUrl, token).get('/v2/service-accounts/not-an-id'), 400, 'INVALID_ID'],
    ['an ID of another kind', () => client(api.baseUrl, token).get('/v2/service-accounts/acct_01m8h42tj30fjmzbwschxe2qyy'), 400, 'INVALID_ID'],
    ['a well-formed ID that does not exist', () => client(api.baseUrl, token).get('/v2/service-accounts/sa_01m8h42tjf2497t8a180fbw85f'), 404, 'NOT_FOUND'],
    ['a limit out of range', () => client(api.baseUrl, token).get('/v2/service-accounts?limit=500'), 400, 'VALIDATION_ERROR'],
    ['a non-numeric limit', () => client(api.baseUrl, token).get('/v2/service-accounts?limit=ten'), 400, 'VALIDATION_ERROR'],
    ['a forged cursor', () => client(api.baseUrl, token).get('/v2/service-accounts?cursor=bm90LWEtY3Vyc29y'), 400, 'INVALID_CURSOR'],
    ['an unknown scope', () => client(api.baseUrl, token).post('/v2/service-accounts', { name: 'x', scopes: ['agents:destroy'] }), 400, 'VALIDATION_ERROR'],
    ['an unknown field', () => client(api.baseUrl, token).post('/v2/service-accounts', { name: 'x', admin: true }), 400, 'VALIDATION_ERROR'],
    ['no credentials', () => client(api.baseUrl).get('/v2/account'), 401, 'UNAUTHENTICATED'],
  ])('%s', async (_name, send, status, code) => {
    const res = await send();
    const err = expectError(res, status, code);
    expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack traces
    expect(err.retryable).toBe(false);
  });

  it('names each bad field in a validation failure', async () => {
    const res = await client(api.baseUrl, token).post('/v2/service-accounts', { name: 42, scopes: ['nope'], extra: 1 });
    const err = expectError(res, 400, 'VALIDATION_ERROR');
    expect(err.recovery).toBe('fix_request');
    expect(err.details.map((d: { field: string }) => d.field).sort()).toEqual(['extra', 'name', 'scopes.0']);
  });

  it('says which methods a path allows', async () => {
    const res = await client(api.baseUrl, token).put('/v2/account', {});
    expect(res.headers.get('allow')).toContain('GET');
  });

  it('echoes a client X-Request-Id and generates one otherwise', async () => {
    const mine = await request(api.baseUrl, 'GET', '/v2/nope', { headers: { 'x-request-id': 'bot-trace-123' } });
    expect(mine.headers.get('x-request-id')).toBe('bot-trace-123');
    expect(mine.body.error.request_id).toBe('bot-trace-123');
    const generated = await request(api.baseUrl, 'GET', '/healthz');
    expect(generated.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
  });
});
