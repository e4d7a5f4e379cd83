import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defineRoute } from '../../api/http/route';
import { MICROS_PER_USD } from '../../core/credit/credit-service';
import { startApi, ApiHarness } from '../support/api-harness';
import { client } from '../support/http-client';

/** GET /v2/balance, GET /v2/usage, the account's credit_balance, 402 over HTTP and `wfw credit grant`. */

const CLI_JS = path.join(__dirname, '../../dist/cli/wfw.js');

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi({
    label: 'credit-routes',
    // A stand-in for POST /v2/calls' reservation, to see INSUFFICIENT_CREDIT in the HTTP error shape.
    extraRoutes: (core) => [
      defineRoute({
        method: 'post',
        path: '/test/credit-hold',
        operationId: 'testCreditHold',
        summary: 'test only',
        tag: 'credit',
        scope: 'calls:write',
        body: z.object({ key: z.string() }),
        responses: { 200: { description: 'held' } },
        async handler({ principal, body }) {
          const hold = await core.credit.hold(principal.accountId, body.key, core.credit.holdMicros());
          return { status: 200, body: { hold_id: hold._id } };
        },
      }),
    ],
  });
});
afterAll(() => api?.close());

describe('credit routes', () => {
  it('a new account: GET /v2/balance shows $50.00 and GET /v2/account the same balance from the ledger', async () => {
    const acct = await api.createAccount();
    const hc = client(api.baseUrl, acct.token);
    const balance = await hc.get('/v2/balance');
    expect(balance.status).toBe(200);
    expect(balance.body).toEqual({ object: 'balance', available_usd: 50, reserved_usd: 0, minutes_remaining: 303, rate_per_minute_usd: 0.165 });
    await api.core.credit.hold(acct.accountId, 'call-1', api.core.credit.holdMicros());
    expect((await hc.get('/v2/balance')).body).toMatchObject({ available_usd: 48.35, reserved_usd: 1.65, minutes_remaining: 293 });
    expect((await hc.get('/v2/account')).body.credit_balance).toEqual({ amount_cents: 4835, available_usd: 48.35, currency: 'usd' });
  });

  it('GET /v2/usage: by day and by agent, default the last 30 days; bad dates are 400', async () => {
    const acct = await api.createAccount();
    const hc = client(api.baseUrl, acct.token);
    await api.core.credit.hold(acct.accountId, 'call-a', api.core.credit.holdMicros(), { callId: 'call_a', agentId: 'agt_1' });
    await api.core.credit.capture(acct.accountId, 'call-a', api.core.credit.priceMicros(125), { minutes: 3 });
    await api.core.credit.captureWithoutHold(acct.accountId, 'call-b', api.core.credit.priceMicros(30), { minutes: 1, callId: 'call_b', agentId: 'agt_2' });
    const usage = await hc.get('/v2/usage');
    expect(usage.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.body).toMatchObject({ object: 'usage', to: today, currency: 'usd', totals: { calls: 2, minutes: 4, usd: 0.66 } });
    expect(usage.body.days).toEqual([{ date: today, calls: 2, minutes: 4, usd: 0.66, agents: expect.arrayContaining([{ agent_id: 'agt_1', calls: 1, minutes: 3, usd: 0.495 }, { agent_id: 'agt_2', calls: 1, minutes: 1, usd: 0.165 }]) }]);
    expect(Date.parse(usage.body.to) - Date.parse(usage.body.from)).toBe(29 * 24 * 3600 * 1000);
    expect((await hc.get('/v2/usage?from=2020-01-01&to=2020-01-31')).body).toMatchObject({ totals: { calls: 0, minutes: 0, usd: 0 }, days: [], agents: [] });
    for (const q of ['from=yesterday', 'to=2020-02-30', 'from=2020-02-01&to=2020-01-01', 'from=2020-01-01&to=2020-12-31']) {
      const bad = await hc.get(`/v2/usage?${q}`);
      expect({ q, status: bad.status, code: bad.body.error.code }).toEqual({ q, status: 400, code: 'VALIDATION_ERROR' });
    }
  });

  it('a balance at zero: the reservation is refused with 402 INSUFFICIENT_CREDIT, retryable false, recovery add_credit', async () => {
    const acct = await api.createAccount();
    const hc = client(api.baseUrl, acct.token);
    await api.core.credit.captureWithoutHold(acct.accountId, 'inbound-all', 50 * MICROS_PER_USD, { minutes: 304 });
    const res = await hc.post('/test/credit-hold', { key: 'k1' });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'INSUFFICIENT_CREDIT', retryable: false, recovery: 'add_credit', details: [{ issue: 'insufficient_credit', available_usd: 0, required_usd: 1.65 }] });
    expect((await hc.get('/v2/balance')).body).toMatchObject({ available_usd: 0, minutes_remaining: 0 });
  });

  it('wfw credit grant adds credit and prints the new balance; --key makes it idempotent', async () => {
    if (!existsSync(CLI_JS)) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` before this test');
    const acct = await api.createAccount();
    const wfw = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI_JS, ...args], { env: { ...process.env, MONGODB_URI: api.db.uri, LOG_LEVEL: 'warn' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const first = await wfw('credit', 'grant', '--account', acct.accountId, '--usd', '12.5', '--note', 'goodwill', '--json');
    expect(first).toMatchObject({ code: 0 });
    expect(JSON.parse(first.stdout)).toMatchObject({ account_id: acct.accountId, grant: { usd: 12.5, note: 'goodwill' }, balance: { object: 'balance', available_usd: 62.5 } });
    // Without --key, each invocation is a grant of its own.
    expect(JSON.parse((await wfw('credit', 'grant', '--account', acct.accountId, '--usd', '1', '--json')).stdout).balance.available_usd).toBe(63.5);
    for (let i = 0; i < 2; i++) expect(JSON.parse((await wfw('credit', 'grant', '--account', acct.accountId, '--usd', '5', '--key', 'ticket-42', '--json')).stdout).balance.available_usd).toBe(68.5);
    expect((await client(api.baseUrl, acct.token).get('/v2/balance')).body.available_usd).toBe(68.5);
    const bad = await wfw('credit', 'grant', '--account', acct.accountId, '--usd', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--usd must be a positive amount/);
  }, 60_000);
});
