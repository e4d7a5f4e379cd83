import { loadConfig } from '../../core/config/config';
import { client } from '../support/http-client';
import { VapiFake } from '../support/contract-fakes/vapi-fake';
import { startStack, Stack } from '../support/temporal-harness';
import { CALL_EVENTS, createAgentRow, eventCounts, fixture, fixtureJson, ingestionCounts, PLATFORMS, postNotification, storedNotifications, until } from './call-notification-support';

/*
 * The end-of-call report never comes: the call workflow asks the platform (GET /call/{id} on
 * Vapi's contract fake) and finishes the call from its answer, or gives up after maxPolls.
 */

const END_WAIT_SECONDS = 2;
const MAX_POLLS = 5;

let stack: Stack;
let fake: VapiFake;
beforeAll(async () => {
  fake = new VapiFake();
  await fake.start();
  stack = await startStack({
    label: 'call-polling',
    config: { calls: { ...loadConfig({ WFW_ALLOW_PRIVATE_NETWORKS: '1' }).calls, endWaitSeconds: END_WAIT_SECONDS, pollIntervalSeconds: 1, maxPolls: MAX_POLLS } },
  });
});
afterAll(async () => {
  await stack?.close();
  await fake?.stop();
});

const spec = PLATFORMS.vapi;
const CALL_ID = '6f7c2d1e-5a4b-4c3d-9e8f-7a6b5c4d3e2f';

/** An account whose Vapi credentials point at the fake. The API refuses base_url (SSRF), so it is stored through the service. */
async function vapiTenant() {
  const acct = await stack.createAccount();
  const secret = `vapi-secret-${acct.accountId.slice(-10)}-0123456789`;
  await stack.core.credentials.put(acct.accountId, 'vapi', { api_key: fake.apiKey, webhook_secret: secret, base_url: fake.server.baseUrl });
  const agentId = await createAgentRow(stack, acct.accountId, 'vapi', spec.platformAgentId);
  return { ...acct, secret, agentId };
}

function pollsOf(platformCallId: string) {
  return fake.server.requests.filter((r) => r.method === 'GET' && r.path === `/call/${platformCallId}`);
}

describe('when the end-of-call report never comes, the call workflow polls the platform', () => {
  it('completes the call from GET /call/{id} once the platform reports it ended: record, transcript, extraction, events once', async () => {
    const t = await vapiTenant();
    const c = client(stack.baseUrl, t.token);
    const recorded = fixtureJson<Record<string, any>>('vapi', 'get-call');
    // First the platform still has the call in progress; the workflow must keep asking.
    fake.calls.set(CALL_ID, { ...recorded, status: 'in-progress', endedReason: undefined, endedAt: undefined, analysis: undefined });

    const started = fixture('vapi', 'status-update-in-progress');
    const res = await postNotification(stack, 'vapi', t.accountId, started, spec.sign(started, t.secret));
    expect(res.body).toMatchObject({ status: 'accepted', call_id: expect.any(String) });
    const callId: string = res.body.call_id;
    const postedAt = Date.now();

    await until('the first poll', async () => (pollsOf(CALL_ID).length >= 1 ? true : undefined), 20_000);
    // Nothing polled before the end-wait timer ran out.
    expect(Date.now() - postedAt).toBeGreaterThanOrEqual(END_WAIT_SECONDS * 1000 - 250);
    expect((await c.get(`/v2/calls/${callId}`)).body).toMatchObject({ status: 'in_progress', extraction_status: 'pending' });
    fake.calls.set(CALL_ID, recorded);

    const call = await until('the polled call analysed', async () => {
      const r = await c.get(`/v2/calls/${callId}`);
      return r.body.extraction_status === 'completed' ? r.body : undefined;
    });
    expect(call).toMatchObject({
      status: 'completed',
      ended_reason: 'customer-ended-call',
      ended_at: '2026-12-03T12:00:44.012Z',
      duration_seconds: 43.5,
      summary: 'Burst pipe; plumber dispatched.',
      cost: { usd: 0.0712, minutes: 1 },
      recording_url: 'https://storage.vapi.ai/6f7c2d1e-recording.wav',
    });
    expect(pollsOf(CALL_ID).length).toBeGreaterThanOrEqual(2);
    expect(pollsOf(CALL_ID).length).toBeLessThanOrEqual(MAX_POLLS);
    for (const r of pollsOf(CALL_ID)) expect(r.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(fake.server.violations).toEqual([]);

    const transcript = (await c.get(`/v2/calls/${callId}/transcript`)).body;
    expect(transcript.turns.map((x: { role: string; text: string }) => [x.role, x.text])).toEqual([
      ['agent', 'Northside Plumbing, what is the emergency?'],
      ['caller', 'A pipe burst under my kitchen sink.'],
    ]);
    expect((await c.get(`/v2/calls/${callId}/extractions`)).body).toMatchObject({ status: 'completed', fields: expect.arrayContaining([expect.objectContaining({ name: 'issue_type' })]) });

    await until('call.extractions_ready', async () => ((await eventCounts(stack, t.accountId))['call.extractions_ready'] ? true : undefined));
    expect(await eventCounts(stack, t.accountId)).toEqual(Object.fromEntries(CALL_EVENTS.map((e) => [e, 1])));

    // What the platform answered is kept as the call's end notification (no raw body: nobody sent one).
    const stored = await storedNotifications(stack, t.accountId, callId);
    expect(stored.map((s) => [s.kind, s.event_type, s.raw === null])).toEqual([
      ['started', 'status-update', false],
      ['ended', 'polled', true],
    ]);
    expect(await ingestionCounts(stack, t.accountId)).toEqual({ calls: 1, call_notifications: 2, call_claims: 1 });
  });

  it('a call the platform never reports as ended fails with ended_reason no_end_of_call_report after maxPolls', async () => {
    const t = await vapiTenant();
    const c = client(stack.baseUrl, t.token);
    const stuckId = '0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a';
    const recorded = fixtureJson<Record<string, any>>('vapi', 'get-call');
    fake.calls.set(stuckId, { ...recorded, id: stuckId, status: 'in-progress', endedReason: undefined, endedAt: undefined, analysis: undefined });

    const started = spec.withCallId(fixture('vapi', 'status-update-in-progress'), stuckId);
    const res = await postNotification(stack, 'vapi', t.accountId, started, spec.sign(started, t.secret));
    expect(res.body).toMatchObject({ status: 'accepted', call_id: expect.any(String) });
    const callId: string = res.body.call_id;

    const call = await until(
      'the call given up on',
      async () => {
        const r = await c.get(`/v2/calls/${callId}`);
        return r.body.status === 'failed' ? r.body : undefined;
      },
      45_000,
    );
    expect(call).toMatchObject({ status: 'failed', ended_reason: 'no_end_of_call_report', extraction_status: 'failed', ended_at: expect.any(String) });
    expect(pollsOf(stuckId)).toHaveLength(MAX_POLLS);
    await expect(stack.client.workflow.getHandle(callId).result()).resolves.toMatchObject({ callId, status: 'failed' });

    const counts = await eventCounts(stack, t.accountId);
    expect(counts['call.started']).toBe(1);
    expect(counts['call.transcript_ready']).toBe(0);
    expect(counts['call.extractions_ready']).toBe(0);
    // Subscribers hear that it ended, and how.
    expect(counts['call.completed']).toBe(1);
    const [completed] = await stack.core.events.list(t.accountId, { types: ['call.completed'], limit: 5 });
    expect(completed.data).toMatchObject({ call_id: callId, status: 'failed', disposition: null });
  });
});
