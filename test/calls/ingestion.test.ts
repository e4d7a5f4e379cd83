import { newId } from '../../core/ids/ids';
import { client, expectError } from '../support/http-client';
import { startStack, Stack } from '../support/temporal-harness';
import {
  CALL_EVENTS,
  eventCounts,
  fixture,
  ingestionCounts,
  NotificationTenant,
  notificationTenant,
  parsedCall,
  PLATFORMS,
  PlatformSpec,
  postNotification,
  storedNotifications,
  until,
  VoicePlatform,
} from './call-notification-support';

/*
 * The notification route against the real stack (API, Temporal worker, database): what a voice
 * platform's signed delivery turns into, and what a bad one does not.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ label: 'call-ingestion' });
});
afterAll(async () => {
  await stack.close();
});

type Tenant = NotificationTenant;
const tenant = (spec: PlatformSpec, platformAgentId?: string): Promise<Tenant> => notificationTenant(stack, spec, platformAgentId);

async function analysed(t: Tenant, callId: string) {
  return until(`call ${callId} analysed`, async () => {
    const r = await client(stack.baseUrl, t.token).get(`/v2/calls/${callId}`);
    return r.status === 200 && r.body.extraction_status === 'completed' ? r.body : undefined;
  });
}

/** The four call events, once each; waits for the last (published after the others). */
async function expectCallEventsOnce(accountId: string) {
  await until('call.extractions_ready', async () => ((await eventCounts(stack, accountId))['call.extractions_ready'] ? true : undefined));
  expect(await eventCounts(stack, accountId)).toEqual(Object.fromEntries(CALL_EVENTS.map((e) => [e, 1])));
}

describe.each(['elevenlabs', 'vapi', 'retell'] as VoicePlatform[])('%s notifications through POST /v2/platform-notifications', (platform) => {
  const spec = PLATFORMS[platform];
  const ended = fixture(platform, spec.endedFixture);
  const expected = parsedCall(platform, ended);

  it('a signed end-of-call report becomes a call with its transcript, extraction and events, once; the same delivery again changes nothing', async () => {
    const t = await tenant(spec);
    const c = client(stack.baseUrl, t.token);

    const res = await postNotification(stack, platform, t.accountId, ended, spec.sign(ended, t.secret));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'notification_receipt', status: 'accepted', call_id: expect.stringMatching(/^call_[0-9a-z]{26}$/) });
    const callId: string = res.body.call_id;

    const call = await analysed(t, callId);
    expect(call).toMatchObject({
      id: callId,
      agent_id: t.agentId,
      platform,
      platform_call_id: expected.platform_call_id,
      status: 'completed',
      test: false,
      direction: expected.direction,
      from_number: expected.from_number,
      to_number: expected.to_number,
      started_at: expected.started_at!.toISOString(),
      summary: expected.analysis?.summary ?? null,
    });

    const transcript = (await c.get(`/v2/calls/${callId}/transcript`)).body;
    expect(transcript).toMatchObject({ object: 'transcript', call_id: callId, masked: true });
    expect(transcript.turns.map((x: { role: string; text: string }) => [x.role, x.text])).toEqual(expected.turns.map((x) => [x.role, x.text]));

    const extraction = (await c.get(`/v2/calls/${callId}/extractions`)).body;
    expect(extraction).toMatchObject({ object: 'extraction', call_id: callId, status: 'completed', extractor: expect.any(String) });
    // hvac_dispatch's schema, every field answered (null when the caller never said it).
    expect(extraction.fields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['customer_name', 'callback_number', 'issue_type']));

    await expectCallEventsOnce(t.accountId);
    const listed = await stack.core.events.list(t.accountId, { types: ['call.completed'], limit: 10 });
    expect(listed[0]!.data).toMatchObject({ call_id: callId, agent_id: t.agentId, status: 'completed', test: false });

    // The body as received, sealed at rest.
    const stored = await storedNotifications(stack, t.accountId, callId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.raw).toBe(ended.toString('utf8'));
    expect(stored[0]!.doc.body).toMatchObject({ kid: expect.any(String), iv: expect.any(String), tag: expect.any(String), ciphertext: expect.any(String) });
    expect(JSON.stringify(stored[0]!.doc)).not.toContain(expected.platform_call_id);
    expect(JSON.stringify(stored[0]!.doc)).not.toContain(expected.turns[0]!.text);

    // The platform's retry (re-signed, as platforms do) is recognised and changes nothing.
    const before = { rows: await ingestionCounts(stack, t.accountId), events: await eventCounts(stack, t.accountId), call };
    const again = await postNotification(stack, platform, t.accountId, ended, spec.sign(ended, t.secret, platform === 'vapi' ? undefined : new Date(Date.now() + 1000)));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ object: 'notification_receipt', status: 'duplicate', call_id: callId });
    expect(await ingestionCounts(stack, t.accountId)).toEqual(before.rows);
    expect(before.rows).toEqual({ calls: 1, call_notifications: 1, call_claims: 1 });
    expect(await eventCounts(stack, t.accountId)).toEqual(before.events);
    expect((await c.get(`/v2/calls/${callId}`)).body).toEqual(before.call);
  });

  it('refuses unverifiable deliveries with 401 INVALID_SIGNATURE and writes nothing', async () => {
    const t = await tenant(spec);
    const before = await ingestionCounts(stack, t.accountId);
    const now = new Date();
    const tampered = Buffer.from(ended.toString('utf8').replace(expected.turns[0]!.text, 'Something else entirely.'));
    const cases: [string, Buffer, Record<string, string>, string][] = [
      ['tampered body', tampered, spec.sign(ended, t.secret, platform === 'vapi' ? now : undefined), 'bad_signature'],
      ['wrong secret', ended, spec.sign(ended, `${t.secret}-not-it`), 'bad_signature'],
      ['missing signature', ended, { 'content-type': 'application/json' }, 'unsigned'],
      ['stale timestamp', ended, spec.sign(ended, t.secret, new Date(now.getTime() - 2 * 60 * 60 * 1000)), 'stale'],
    ];
    for (const [name, body, headers, issue] of cases) {
      const res = await postNotification(stack, platform, t.accountId, body, headers);
      const err = expectError(res, 401, 'INVALID_SIGNATURE');
      expect({ name, issue: err.details[0]?.issue }).toEqual({ name, issue });
    }
    expect(await ingestionCounts(stack, t.accountId)).toEqual(before);
    expect(before).toEqual({ calls: 0, call_notifications: 0, call_claims: 0 });
  });

  it('refuses malformed bodies (400), unknown agents, unknown accounts (404) and accounts without the platform (422), writing nothing', async () => {
    const t = await tenant(spec);
    const before = await ingestionCounts(stack, t.accountId);

    const notJson = Buffer.from('{"event": "call_');
    expectError(await postNotification(stack, platform, t.accountId, notJson, spec.sign(notJson, t.secret)), 400, 'INVALID_JSON');
    const shape = expectError(await postNotification(stack, platform, t.accountId, spec.malformedShape, spec.sign(spec.malformedShape, t.secret)), 400, 'INVALID_NOTIFICATION');
    expect(shape.details[0]).toMatchObject({ issue: 'malformed' });

    const stranger = spec.withAgent(ended, `${spec.platformAgentId.slice(0, -4)}zzzz`);
    const unknown = expectError(await postNotification(stack, platform, t.accountId, stranger, spec.sign(stranger, t.secret)), 404, 'NOT_FOUND');
    expect(unknown.details[0]).toMatchObject({ field: 'agent_id', issue: 'unknown_agent' });

    expectError(await postNotification(stack, platform, newId('account'), ended, spec.sign(ended, t.secret)), 404, 'NOT_FOUND');

    const bare = await stack.createAccount();
    expectError(await postNotification(stack, platform, bare.accountId, ended, spec.sign(ended, t.secret)), 422, 'PLATFORM_NOT_CONFIGURED');

    expect(await ingestionCounts(stack, t.accountId)).toEqual(before);
    expect(await ingestionCounts(stack, bare.accountId)).toEqual({ calls: 0, call_notifications: 0, call_claims: 0 });
    expect(before).toEqual({ calls: 0, call_notifications: 0, call_claims: 0 });
  });

  it('refuses a notification about another account’s agent posted to this account', async () => {
    const mine = await tenant(spec);
    const theirAgentId = `${spec.platformAgentId.slice(0, -4)}0th3`;
    const theirs = await tenant(spec, theirAgentId);
    const body = spec.withAgent(ended, theirAgentId);

    // Signed with the other account's secret: it does not verify under this account's.
    const forged = expectError(await postNotification(stack, platform, mine.accountId, body, spec.sign(body, theirs.secret)), 401, 'INVALID_SIGNATURE');
    expect(forged.details[0]).toMatchObject({ issue: 'bad_signature' });
    // Signed with this account's secret: this account has no such agent.
    const foreign = expectError(await postNotification(stack, platform, mine.accountId, body, spec.sign(body, mine.secret)), 404, 'NOT_FOUND');
    expect(foreign.details[0]).toMatchObject({ issue: 'unknown_agent' });

    for (const t of [mine, theirs]) expect(await ingestionCounts(stack, t.accountId)).toEqual({ calls: 0, call_notifications: 0, call_claims: 0 });
    expect((await client(stack.baseUrl, theirs.token).get('/v2/calls')).body.data).toEqual([]);
  });
});

describe('a call announced before it ends', () => {
  it('Vapi: status-update in-progress, then the end-of-call report → one call, call.started once', async () => {
    const spec = PLATFORMS.vapi;
    const t = await tenant(spec);
    const c = client(stack.baseUrl, t.token);
    const started = fixture('vapi', 'status-update-in-progress');
    const report = fixture('vapi', 'end-of-call-report');

    const first = await postNotification(stack, 'vapi', t.accountId, started, spec.sign(started, t.secret));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'accepted', call_id: expect.any(String) });
    const callId: string = first.body.call_id;

    const live = await until('the call in progress', async () => {
      const r = await c.get(`/v2/calls/${callId}`);
      return r.status === 200 && (await eventCounts(stack, t.accountId))['call.started'] === 1 ? r.body : undefined;
    });
    expect(live).toMatchObject({ status: 'in_progress', ended_at: null, extraction_status: 'pending', from_number: '+13125550166' });

    const second = await postNotification(stack, 'vapi', t.accountId, report, spec.sign(report, t.secret));
    expect(second.body).toEqual({ object: 'notification_receipt', status: 'accepted', call_id: callId });

    const call = await analysed(t, callId);
    expect(call).toMatchObject({ status: 'completed', summary: parsedCall('vapi', report).analysis!.summary, duration_seconds: 43.5 });
    await expectCallEventsOnce(t.accountId);
    expect(await ingestionCounts(stack, t.accountId)).toEqual({ calls: 1, call_notifications: 2, call_claims: 1 });
    expect((await c.get('/v2/calls')).body.data.map((x: { id: string }) => x.id)).toEqual([callId]);
  });

  it('Retell: call_ended, then call_analyzed → one call whose summary is the analysis’s', async () => {
    const spec = PLATFORMS.retell;
    const t = await tenant(spec);
    const c = client(stack.baseUrl, t.token);
    const callEnded = fixture('retell', 'call-ended');
    const callAnalyzed = fixture('retell', 'call-analyzed');
    const analysis = parsedCall('retell', callAnalyzed).analysis!;
    expect(analysis.summary).toBeTruthy();

    const first = await postNotification(stack, 'retell', t.accountId, callEnded, spec.sign(callEnded, t.secret));
    expect(first.body).toMatchObject({ status: 'accepted', call_id: expect.any(String) });
    const callId: string = first.body.call_id;

    // call_ended: the call is recorded (it has ended) and announced, but not final: no analysis yet.
    const known = await until('the ended call recorded', async () => {
      const r = await c.get(`/v2/calls/${callId}`);
      return r.status === 200 && (await eventCounts(stack, t.accountId))['call.started'] === 1 ? r.body : undefined;
    });
    expect(known).toMatchObject({ status: 'completed', summary: null, extraction_status: 'pending', ended_at: expect.any(String) });
    const state = await stack.client.workflow.getHandle(callId).query<{ started: string | null; ended: string | null; stage: string }>('callState');
    expect(state).toMatchObject({ started: expect.any(String), ended: null, stage: 'in_progress' });
    expect((await eventCounts(stack, t.accountId))['call.completed']).toBe(0);

    const second = await postNotification(stack, 'retell', t.accountId, callAnalyzed, spec.sign(callAnalyzed, t.secret));
    expect(second.body).toEqual({ object: 'notification_receipt', status: 'accepted', call_id: callId });

    const call = await analysed(t, callId);
    expect(call).toMatchObject({ status: 'completed', summary: analysis.summary, duration_seconds: 81.5 });
    expect((await c.get(`/v2/calls/${callId}/transcript`)).body.turns).toHaveLength(parsedCall('retell', callAnalyzed).turns.length);
    await expectCallEventsOnce(t.accountId);
    expect(await ingestionCounts(stack, t.accountId)).toEqual({ calls: 1, call_notifications: 2, call_claims: 1 });
  });
});

describe('an outbound call the platform announces before we recorded its ID', () => {
  it('Vapi: the echoed call ID puts the notification on our outbound call, not on a new one', async () => {
    const spec = PLATFORMS.vapi;
    const t = await tenant(spec);
    const ourId = 'call_01kbkz4x7m3q9r2s5t6v8w0y1z';
    await stack.core.calls.createPending({ callId: ourId, accountId: t.accountId, agentId: t.agentId, platform: 'vapi', platformCallId: null, direction: 'outbound', test: false, fromNumber: '+13125550100', toNumber: '+13125550199' });
    const body = fixture('vapi', 'status-update-in-progress-outbound');
    const res = await postNotification(stack, 'vapi', t.accountId, body, spec.sign(body, t.secret));
    expect(res.body).toMatchObject({ status: 'accepted', call_id: ourId });
    expect((await ingestionCounts(stack, t.accountId)).calls).toBe(1);
    // And a notification echoing an ID that is not one of this account's outbound calls is an ordinary inbound one.
    const other = spec.withCallId(Buffer.from(body.toString('utf8').replace(ourId, 'call_01kbkz4x7m3q9r2s5t6v8w0y2a')), 'vapi-call-unrelated-1');
    const res2 = await postNotification(stack, 'vapi', t.accountId, other, spec.sign(other, t.secret));
    expect(res2.body.status).toBe('accepted');
    expect(res2.body.call_id).not.toBe(ourId);
  });
});
