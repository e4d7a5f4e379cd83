import { Writable } from 'node:stream';
import { createLogger } from '../../core/logging/logger';
import { startApi, ApiHarness } from '../support/api-harness';
import { request } from '../support/http-client';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({ label: 'logging', logger: createLogger('debug', 'wfw-test', sink) });
});
afterAll(() => api.close());

describe('logs', () => {
  it('are pino JSON lines carrying the request ID, and never contain secrets or tokens', async () => {
    const acct = await api.createAccount();
    lines.length = 0;
    const res = await request(api.baseUrl, 'POST', '/v2/auth/token', {
      body: { client_id: acct.clientId, client_secret: acct.clientSecret, grant_type: 'client_credentials' },
      headers: { 'x-request-id': 'log-trace-1' },
    });
    expect(res.status).toBe(200);
    await request(api.baseUrl, 'GET', '/v2/account', { token: res.body.access_token, headers: { 'x-request-id': 'log-trace-2' } });
    await request(api.baseUrl, 'GET', '/v2/account', { token: acct.clientSecret, headers: { 'x-request-id': 'log-trace-3' } });

    const requestLines = lines.filter((l) => l.msg === 'request');
    expect(requestLines.map((l) => l.request_id)).toEqual(['log-trace-1', 'log-trace-2', 'log-trace-3']);
    for (const l of requestLines) expect(l).toMatchObject({ level: 'info', method: expect.any(String), status: expect.any(Number) });
    const all = JSON.stringify(lines);
    expect(all).not.toContain(acct.clientSecret);
    expect(all).not.toContain(res.body.access_token);
    expect(all).not.toContain(res.body.access_token.split('.')[2]);
  });
});
