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

describe('redaction', () => {
  it('censors credentials at any depth, auth_token included, without touching the logged object', () => {
    const out: string[] = [];
    const logger = createLogger('info', 'wfw-test', new Writable({ write: (c, _e, done) => (out.push(c.toString()), done()) }));
    const twilio = { provider: 'twilio', credentials: { account_sid: 'AC123', auth_token: 'twilio-token-1' } };
    const err = Object.assign(new Error('provider said no'), { request: { headers: { Authorization: 'Bearer deep-bearer-1' } } });
    logger.info({ auth_token: 'top-token-1', call: { input: twilio }, attempts: [{ config: { api_key: 'list-key-1' } }], a: { b: { c: { d: { password: 'deep-pw-1' } } } }, err }, 'provider call');
    const line = out.join('');
    for (const secret of ['twilio-token-1', 'deep-bearer-1', 'top-token-1', 'list-key-1', 'deep-pw-1']) expect(line).not.toContain(secret);
    const parsed = JSON.parse(line);
    expect(parsed.call.input.credentials).toEqual({ account_sid: 'AC123', auth_token: '[redacted]' });
    expect(parsed.err).toMatchObject({ message: 'provider said no', type: 'Error', stack: expect.stringContaining('provider said no') });
    // The caller's objects are left as they were.
    expect(twilio.credentials.auth_token).toBe('twilio-token-1');
  });
});
