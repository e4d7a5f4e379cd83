import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client, expectError } from '../support/http-client';
import { startStack, Stack } from '../support/temporal-harness';
import { batchEnded, liveAgent, maxOverlap, numbers, until } from './call-batch-support';

let stack: Stack;
let site: BusinessSite;
beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'call-batches' });
});
afterAll(async () => {
  await stack?.close();
  await site?.close();
});

const answered = (duration_seconds: number) => ({ outcome: 'answered' as const, duration_seconds });

describe('call batches: a workflow per batch, a child workflow per call', () => {
  it('never has more than max_concurrency calls in flight, and calls every recipient once', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(stack.baseUrl, acct.token, site);
    const to = numbers(12);
    const created = await c.post('/v2/call-batches', { agent_id: op.agent_id, max_concurrency: 3, recipients: to.map((n, i) => ({ to_number: n, variables: { first_name: `P${i}` }, simulation: answered(100 + (i % 3) * 50) })) });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ object: 'call_batch', agent_id: op.agent_id, total: 12, max_concurrency: 3, counts: { queued: 12 } });
    expect(created.body.id).toMatch(/^cb_/);

    const batch = await batchEnded(c, created.body.id);
    expect(batch).toMatchObject({ status: 'completed', counts: { completed: 12, queued: 0, in_progress: 0, skipped: 0 }, skipped: [] });
    expect(batch.max_in_flight).toBeLessThanOrEqual(3);
    expect(batch.max_in_flight).toBeGreaterThanOrEqual(2);
    expect(batch.recipients.map((r: { call_ids: string[] }) => r.call_ids.length)).toEqual(new Array(12).fill(1));
    expect(batch.call_ids).toHaveLength(12);

    const calls = await Promise.all(batch.call_ids.map(async (id: string) => (await c.get(`/v2/calls/${id}`)).body));
    expect(calls.map((x) => x.status)).toEqual(new Array(12).fill('completed'));
    expect(new Set(calls.map((x) => x.to_number))).toEqual(new Set(to));
    // From the records themselves: each call's life from its record to its end never overlapped more than 3 others'.
    expect(maxOverlap(calls)).toBeLessThanOrEqual(3);
    expect(maxOverlap(calls)).toBeGreaterThanOrEqual(2);
    // Every call is a workflow whose ID is the call ID, started by the batch's workflow.
    const child = await stack.client.workflow.getHandle(batch.call_ids[0]).describe();
    expect(child.parentExecution?.workflowId).toBe(batch.id);
    // All 12 are in the account's call list, and each was billed once.
    expect((await c.get('/v2/calls?limit=100')).body.data).toHaveLength(12);
  });

  it('retries no_answer and busy after the backoff, each attempt a call of its own', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(stack.baseUrl, acct.token, site);
    const [a, b, d] = numbers(3, 5550200);
    const created = await c.post('/v2/call-batches', {
      agent_id: op.agent_id,
      retry: { no_answer_attempts: 2, backoff_minutes: 0.005 },
      recipients: [
        { to_number: a, simulation: { outcome: 'no_answer' } },
        { to_number: b, simulation: { outcome: 'busy' } },
        { to_number: d, simulation: answered(60) },
      ],
    });
    expect(created.status).toBe(202);
    const batch = await batchEnded(c, created.body.id);
    expect(batch).toMatchObject({ status: 'completed', counts: { no_answer: 1, busy: 1, completed: 1 } });
    const [ra, rb, rd] = batch.recipients;
    expect(ra).toMatchObject({ to_number: a, status: 'no_answer', attempts: 3 });
    expect(rb).toMatchObject({ to_number: b, status: 'busy', attempts: 3 });
    expect(rd).toMatchObject({ to_number: d, status: 'completed', attempts: 1 });
    expect(ra.call_ids).toHaveLength(3);
    expect(new Set(ra.call_ids).size).toBe(3);
    const attempts = await Promise.all(ra.call_ids.map(async (id: string) => (await c.get(`/v2/calls/${id}`)).body));
    expect(attempts.map((x) => [x.to_number, x.status])).toEqual(new Array(3).fill([a, 'no_answer']));
    // Each attempt came after the previous one ended, plus the backoff (0.3 s).
    for (let i = 1; i < 3; i++) expect(Date.parse(attempts[i].created_at)).toBeGreaterThanOrEqual(Date.parse(attempts[i - 1].ended_at ?? attempts[i - 1].updated_at) + 250);
    // Nobody answered: those holds all went back; only the answered minute was captured.
    const balance = await until('the holds to settle', async () => {
      const x = (await c.get('/v2/balance')).body;
      return x.reserved_usd === 0 ? x : undefined;
    });
    expect(balance.available_usd).toBeCloseTo(50 - balance.rate_per_minute_usd, 6);
  });

  it('skips numbers on the do-not-call list and recipients whose credit hold is refused, and reports them', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(stack.baseUrl, acct.token, site);
    const [listed, free] = numbers(2, 5550300);
    expect((await c.put(`/v2/do-not-call/${encodeURIComponent(listed)}`, { reason: 'asked on 3 March' })).status).toBe(201);
    expect((await c.put(`/v2/do-not-call/${encodeURIComponent(listed)}`)).status).toBe(200);
    expectError(await c.post('/v2/calls', { agent_id: op.agent_id, to_number: listed, simulation: answered(30) }), 422, 'DO_NOT_CALL');

    const created = await c.post('/v2/call-batches', { agent_id: op.agent_id, recipients: [{ to_number: listed, simulation: answered(30) }, { to_number: free, simulation: answered(30) }] });
    const batch = await batchEnded(c, created.body.id);
    expect(batch).toMatchObject({ status: 'completed', counts: { skipped: 1, completed: 1 }, skipped: [{ to_number: listed, reason: 'do_not_call' }] });
    expect(batch.recipients[0]).toMatchObject({ status: 'skipped', skip_reason: 'do_not_call', call_ids: [] });
    expect(batch.call_ids).toHaveLength(1);

    // A drained account: every hold is refused, nobody is called, nothing is charged.
    const poor = await stack.createAccount();
    const p = client(stack.baseUrl, poor.token);
    const poorAgent = await liveAgent(stack.baseUrl, poor.token, site);
    await stack.core.credit.adjust(poor.accountId, -49_990_000, 'test-drain', 'leave one cent');
    const refused = await p.post('/v2/call-batches', { agent_id: poorAgent.agent_id, recipients: numbers(3, 5550310).map((n) => ({ to_number: n, simulation: answered(30) })) });
    expect(refused.status).toBe(202);
    const skipped = await batchEnded(p, refused.body.id);
    expect(skipped).toMatchObject({ status: 'completed', counts: { skipped: 3 }, call_ids: [] });
    expect(skipped.skipped.map((s: { reason: string }) => s.reason)).toEqual(['insufficient_credit', 'insufficient_credit', 'insufficient_credit']);
    expect((await p.get('/v2/calls')).body.data).toEqual([]);
  });

  it('the do-not-call list: listed once, paged, removed, and per account', async () => {
    const acct = await stack.createAccount();
    const other = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const listed = numbers(5, 5550400);
    for (const n of listed) expect((await c.put(`/v2/do-not-call/${encodeURIComponent(n)}`)).status).toBe(201);
    const first = (await c.get('/v2/do-not-call?limit=3')).body;
    expect(first).toMatchObject({ has_more: true });
    expect(first.data).toHaveLength(3);
    const second = (await c.get(`/v2/do-not-call?limit=3&cursor=${first.next_cursor}`)).body;
    expect(second).toMatchObject({ has_more: false, next_cursor: null });
    expect(new Set([...first.data, ...second.data].map((e: { number: string }) => e.number))).toEqual(new Set(listed));
    expect(first.data[0]).toMatchObject({ object: 'do_not_call_entry', reason: null });
    expect((await c.delete(`/v2/do-not-call/${encodeURIComponent(listed[0])}`)).status).toBe(204);
    expectError(await c.delete(`/v2/do-not-call/${encodeURIComponent(listed[0])}`), 404, 'NOT_FOUND');
    expect((await c.get('/v2/do-not-call')).body.data).toHaveLength(4);
    expect((await client(stack.baseUrl, other.token).get('/v2/do-not-call')).body.data).toEqual([]);
    const bad = expectError(await c.put('/v2/do-not-call/5550100'), 400, 'INVALID_ID');
    expect(bad.details[0].field).toBe('number');
  });

  it('cancel: queued recipients never start, live calls finish, the batch ends canceled', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(stack.baseUrl, acct.token, site);
    const created = await c.post('/v2/call-batches', { agent_id: op.agent_id, max_concurrency: 2, recipients: numbers(6, 5550500).map((n) => ({ to_number: n, simulation: answered(400) })) });
    await until('two calls in flight', async () => ((await c.get(`/v2/call-batches/${created.body.id}`)).body.counts.in_progress === 2 ? true : undefined));
    const canceling = await c.post(`/v2/call-batches/${created.body.id}/cancel`);
    expect(canceling.status).toBe(202);
    const batch = await batchEnded(c, created.body.id);
    expect(batch).toMatchObject({ status: 'canceled', counts: { completed: 2, canceled: 4, queued: 0, in_progress: 0 } });
    expect(batch.call_ids).toHaveLength(2);
    for (const r of batch.recipients.slice(2)) expect(r).toMatchObject({ status: 'canceled', call_ids: [] });
    const live = await Promise.all(batch.call_ids.map(async (id: string) => (await c.get(`/v2/calls/${id}`)).body));
    expect(live.map((x) => x.status)).toEqual(['completed', 'completed']);
    expect((await c.get('/v2/calls?limit=100')).body.data).toHaveLength(2);
    expectError(await c.post(`/v2/call-batches/${created.body.id}/cancel`), 409, 'CONFLICT');
  });

  it('a window that is closed now holds every call; a keyed POST retried lands on the same batch', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(stack.baseUrl, acct.token, site);
    // A one-minute window that opened ten minutes ago, in UTC: the next opening is tomorrow.
    const d = new Date(Date.now() - 10 * 60_000);
    const hhmm = (x: Date) => `${String(x.getUTCHours()).padStart(2, '0')}:${String(x.getUTCMinutes()).padStart(2, '0')}`;
    const body = { agent_id: op.agent_id, window: { timezone: 'UTC', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], start: hhmm(d), end: hhmm(new Date(d.getTime() + 60_000)) }, recipients: numbers(2, 5550600).map((n) => ({ to_number: n, simulation: answered(30) })) };
    const first = await c.post('/v2/call-batches', body, { idempotencyKey: 'batch-key-1' });
    const again = await c.post('/v2/call-batches', body, { idempotencyKey: 'batch-key-1' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    await new Promise((r) => setTimeout(r, 2000));
    const waiting = (await c.get(`/v2/call-batches/${first.body.id}`)).body;
    expect(waiting).toMatchObject({ status: 'running', counts: { queued: 2 }, call_ids: [] });
    const state = await stack.client.workflow.getHandle(first.body.id).query('callBatchState');
    expect(state).toMatchObject({ inFlight: 0, waiting: 2, cursor: 2 });
    await c.post(`/v2/call-batches/${first.body.id}/cancel`);
    expect(await batchEnded(c, first.body.id)).toMatchObject({ status: 'canceled', counts: { canceled: 2 }, call_ids: [] });
    expect((await c.get('/v2/calls')).body.data).toEqual([]);
  });

  it('bad requests are refused field by field', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const bad = await c.post('/v2/call-batches', {
      agent_id: 'agt_x',
      recipients: [{ to_number: '+13125550700' }, { to_number: '312-555', simulation: { outcome: 'maybe' } }],
      window: { timezone: 'Mars/Olympus', days: ['mon', 'funday'], start: '9am', end: '17:00' },
      max_concurrency: 0,
      retry: { no_answer_attempts: 9, backoff_minutes: -1 },
    });
    const err = expectError(bad, 400, 'VALIDATION_ERROR');
    expect(err.details.map((x: { field: string }) => x.field).sort()).toEqual(
      ['max_concurrency', 'recipients.1.simulation.outcome', 'recipients.1.to_number', 'retry.backoff_minutes', 'retry.no_answer_attempts', 'window.days.1', 'window.start', 'window.timezone'].sort(),
    );
    expectError(await c.post('/v2/call-batches', { agent_id: 'agt_x', recipients: [] }), 400, 'VALIDATION_ERROR');
    expectError(await c.post('/v2/call-batches', { agent_id: 'agt_01m8h42tj30fjmzbwschxe2qyy', recipients: [{ to_number: '+13125550701' }] }), 404, 'NOT_FOUND');
    expectError(await c.get('/v2/call-batches/cb_01m8h42tj30fjmzbwschxe2qyy'), 404, 'NOT_FOUND');
  });
});
