import { newId } from '../../core/ids/ids';
import { client, expectError } from '../support/http-client';
import { appendAgentEvent, EventApi, eventually, newAgentId, openRawStream, openStream, startEventApi, StreamClient } from './event-test-kit';
import { retentionDay } from '../../core/maintenance/retention';

let env: EventApi;
const open: StreamClient[] = [];
beforeAll(async () => {
  env = await startEventApi('events-sse');
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(() => env.close());

function stream(path: string, token: string, options: { lastEventId?: string; baseUrl?: string } = {}): StreamClient {
  const s = openStream(options.baseUrl ?? env.api.baseUrl, path, token, options);
  open.push(s);
  return s;
}

const ids = (s: StreamClient) => s.events.map((e) => Number(e.id));

/**
 * Instead of waiting a while to see that nothing more arrives: appends a marker event every given
 * stream shows and waits until each has it. A stream delivers in sequence order, so whatever it
 * would show before the marker has arrived by then. The marker is taken off again.
 */
async function settled(streams: StreamClient[], append: () => Promise<{ event_id: string }>) {
  const marker = await append();
  await Promise.all(streams.map((s) => eventually(() => s.events.some((e) => e.data.event_id === marker.event_id), 5000, 'the marker event')));
  for (const s of streams) {
    expect(s.events[s.events.length - 1].data.event_id).toBe(marker.event_id);
    s.events.pop();
  }
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('GET /v2/events as Server-Sent Events', () => {
  it('streams live events in order with the envelope, then resumes with Last-Event-ID exactly once and in order', async () => {
    const acct = await env.api.createAccount();
    const { core } = env.api;
    const first = stream('/v2/events', acct.token);
    await first.opened();
    const appended = [];
    for (let i = 0; i < 5; i++) appended.push(await appendAgentEvent(core, acct.accountId));
    await first.waitFor(5);
    expect(ids(first)).toEqual([1, 2, 3, 4, 5]);
    const e = first.events[0];
    expect(e.type).toBe('agent.updated');
    expect(e.data).toEqual({
      event_id: appended[0].event_id,
      event_type: 'agent.updated',
      sequence: 1,
      created_at: appended[0].created_at,
      idempotency_key: appended[0].event_id,
      data: appended[0].data,
    });
    first.close();

    // Missed while away: replayed from the database. Then live again, with no seam.
    for (let i = 0; i < 5; i++) await appendAgentEvent(core, acct.accountId);
    const second = stream('/v2/events', acct.token, { lastEventId: first.events[4].id });
    await second.waitFor(5);
    for (let i = 0; i < 3; i++) await appendAgentEvent(core, acct.accountId);
    await second.waitFor(8);
    await settled([second], () => appendAgentEvent(core, acct.accountId));
    expect(ids(second)).toEqual(range(6, 13));
    expect(second.connects).toEqual(['5']);
  });

  it('reconnects by itself after a dropped connection and continues from Last-Event-ID', async () => {
    const acct = await env.api.createAccount();
    const s = stream('/v2/events', acct.token);
    await s.opened();
    for (let i = 0; i < 3; i++) await appendAgentEvent(env.api.core, acct.accountId);
    await s.waitFor(3);
    s.dropConnection();
    for (let i = 0; i < 4; i++) await appendAgentEvent(env.api.core, acct.accountId);
    await s.waitFor(7);
    await settled([s], () => appendAgentEvent(env.api.core, acct.accountId));
    expect(ids(s)).toEqual(range(1, 7));
    // EventSource sent the last id it had seen.
    expect(s.connects).toEqual(['', '3']);
  });

  it('replays from ?after=<seq> too, and the header wins over it (EventSource reconnects to the same URL)', async () => {
    const acct = await env.api.createAccount();
    for (let i = 0; i < 6; i++) await appendAgentEvent(env.api.core, acct.accountId);
    const byQuery = stream('/v2/events?after=2', acct.token);
    await byQuery.waitFor(4);
    const both = stream('/v2/events?after=1', acct.token, { lastEventId: '4' });
    await both.waitFor(2);
    await settled([byQuery, both], () => appendAgentEvent(env.api.core, acct.accountId));
    expect(ids(byQuery)).toEqual([3, 4, 5, 6]);
    expect(ids(both)).toEqual([5, 6]);
  });

  it('two API instances stream the same events (each reads the database, not process memory)', async () => {
    const acct = await env.api.createAccount();
    const sibling = await env.api.startSibling();
    try {
      const a = stream('/v2/events', acct.token);
      const b = stream('/v2/events', acct.token, { baseUrl: sibling.baseUrl });
      await Promise.all([a.opened(), b.opened()]);
      // Written through the first instance's core; the sibling only shares the database.
      for (let i = 0; i < 5; i++) await appendAgentEvent(env.api.core, acct.accountId);
      await Promise.all([a.waitFor(5), b.waitFor(5)]);
      expect(ids(a)).toEqual(range(1, 5));
      expect(ids(b)).toEqual(range(1, 5));
      expect(b.events.map((e) => e.data.event_id)).toEqual(a.events.map((e) => e.data.event_id));
    } finally {
      await sibling.close();
    }
  });

  it('shows an account only its own events, and honours type and agent filters', async () => {
    const a = await env.api.createAccount('A');
    const b = await env.api.createAccount('B');
    const agentX = newAgentId();
    const agentY = newAgentId();
    const all = stream('/v2/events', a.token);
    const onlyX = stream(`/v2/events?agent_id=${agentX}`, a.token);
    const onlyDeleted = stream('/v2/events?types=agent.deleted,kb.synced', a.token);
    await Promise.all([all.opened(), onlyX.opened(), onlyDeleted.opened()]);
    const { core } = env.api;
    await appendAgentEvent(core, b.accountId, agentX); // B's: never seen by A
    await appendAgentEvent(core, a.accountId, agentX); // a1
    await appendAgentEvent(core, a.accountId, agentY); // a2
    await core.events.append(a.accountId, 'agent.deleted', { agent_id: agentY, operation_id: 'op_1', released_phone_number: null }, { dedupeKey: `del:${agentY}`, agentId: agentY }); // a3
    await core.events.append(a.accountId, 'kb.synced', { agent_id: agentX, doc_id: 'kb_1', version: 2 }, { dedupeKey: `kb:${agentX}`, agentId: agentX }); // a4
    await appendAgentEvent(core, b.accountId, agentY);
    await all.waitFor(4);
    await onlyX.waitFor(2);
    await onlyDeleted.waitFor(2);
    await settled([all, onlyX, onlyDeleted], () => core.events.append(a.accountId, 'kb.synced', { agent_id: agentX, doc_id: 'kb_marker', version: 3 }, { dedupeKey: `kb-marker:${agentX}`, agentId: agentX }));
    expect(ids(all)).toEqual([1, 2, 3, 4]);
    expect(all.events.every((e) => e.data.data.agent_id === agentX || e.data.data.agent_id === agentY)).toBe(true);
    expect(ids(onlyX)).toEqual([1, 4]);
    expect(onlyDeleted.events.map((e) => e.type)).toEqual(['agent.deleted', 'kb.synced']);

    const bStream = stream('/v2/events?after=0', b.token);
    await bStream.waitFor(2);
    await settled([bStream], () => appendAgentEvent(core, b.accountId));
    expect(ids(bStream)).toEqual([1, 2]);
  });

  it('leaves out call.* / extraction.* without calls:read and credit.low without account:admin; asking for them is 403', async () => {
    const acct = await env.api.createAccount();
    const { core } = env.api;
    const reader = await core.serviceAccounts.create(acct.accountId, { name: 'reader', scopes: ['agents:read'] });
    const caller = await core.serviceAccounts.create(acct.accountId, { name: 'calls', scopes: ['agents:read', 'calls:read'] });
    const narrow = stream('/v2/events', reader.client_secret);
    const calls = stream('/v2/events', caller.client_secret);
    const full = stream('/v2/events', acct.token);
    await Promise.all([narrow.opened(), calls.opened(), full.opened()]);
    const agentId = newAgentId();
    await core.events.append(acct.accountId, 'call.started', { call_id: 'call_1', agent_id: agentId, direction: 'inbound', from: '+14155550100', to: '+14155550101' }, { dedupeKey: 'c1', agentId });
    await core.events.append(acct.accountId, 'extraction.low_confidence', { call_id: 'call_1', agent_id: agentId, field: 'date', confidence: 0.2, threshold: 0.6 }, { dedupeKey: 'x1', agentId });
    await core.events.append(acct.accountId, 'credit.low', { account_id: acct.accountId, available_usd: 1, threshold_usd: 5, threshold_percent: 5 }, { dedupeKey: 'cr1' });
    await appendAgentEvent(core, acct.accountId, agentId);
    await full.waitFor(4);
    await calls.waitFor(3);
    await narrow.waitFor(1);
    await settled([full, calls, narrow], () => appendAgentEvent(core, acct.accountId, agentId));
    expect(full.events.map((e) => e.type)).toEqual(['call.started', 'extraction.low_confidence', 'credit.low', 'agent.updated']);
    expect(calls.events.map((e) => e.type)).toEqual(['call.started', 'extraction.low_confidence', 'agent.updated']);
    expect(narrow.events.map((e) => e.type)).toEqual(['agent.updated']);

    const refused = await client(env.api.baseUrl, reader.client_secret).get('/v2/events?types=call.completed', { headers: { accept: 'text/event-stream' } });
    expect(expectError(refused, 403, 'INSUFFICIENT_SCOPE').details[0].required_scope).toBe('calls:read');
    const list = await client(env.api.baseUrl, reader.client_secret).get('/v2/events?format=json');
    // The agent.updated event and the marker: nothing else.
    expect(list.body.data.map((e: any) => e.event_type)).toEqual(['agent.updated', 'agent.updated']);
  });

  it('delivers seq 2 after seq 3 was written first, in order, as soon as 2 lands', async () => {
    const acct = await env.api.createAccount();
    const { core } = env.api;
    await appendAgentEvent(core, acct.accountId); // seq 1
    const s = stream('/v2/events?after=0', acct.token);
    await s.waitFor(1);
    // Two writers took 2 and 3; the one with 3 inserts first.
    await core.models.eventSequences.updateOne({ _id: acct.accountId }, { $inc: { seq: 2 } });
    const [tailer] = env.tailers();
    const seenBefore = tailer.stats.events;
    await insertRaw(acct.accountId, 3);
    // The tailer has read 3 (the only event written meanwhile); the stream holds it back.
    await eventually(() => tailer.stats.events > seenBefore, 5000, 'the tailer to read seq 3');
    expect(ids(s)).toEqual([1]);
    const inserted2 = Date.now();
    await insertRaw(acct.accountId, 2);
    await s.waitFor(3);
    expect(ids(s)).toEqual([1, 2, 3]);
    // Released by 2's arrival, not by the 1.5 s grace period.
    expect(s.events[2].at - inserted2).toBeLessThan(1000);
  });

  it('skips a permanent gap (a writer died between number and insert) after the grace period', async () => {
    const acct = await env.api.createAccount();
    const { core } = env.api;
    const s = stream('/v2/events', acct.token);
    await s.opened();
    await appendAgentEvent(core, acct.accountId); // 1
    await s.waitFor(1);
    await core.models.eventSequences.updateOne({ _id: acct.accountId }, { $inc: { seq: 1 } }); // 2 is lost
    const written = Date.now();
    await appendAgentEvent(core, acct.accountId); // 3
    await s.waitFor(2);
    const waited = s.events[1].at - written;
    expect(waited).toBeGreaterThanOrEqual(1300);
    expect(waited).toBeLessThan(4000);
    await appendAgentEvent(core, acct.accountId); // 4: flows at once again
    await s.waitFor(3);
    expect(ids(s)).toEqual([1, 3, 4]);
  });

  it('replays past an old hole without waiting for it', async () => {
    const acct = await env.api.createAccount();
    const { core } = env.api;
    await core.models.eventSequences.updateOne({ _id: acct.accountId }, { $set: { seq: 3 } }, { upsert: true });
    await insertRaw(acct.accountId, 1, new Date(Date.now() - 3_600_000));
    await insertRaw(acct.accountId, 3, new Date(Date.now() - 3_500_000));
    const started = Date.now();
    const s = stream('/v2/events?after=0', acct.token);
    await s.waitFor(2);
    expect(ids(s)).toEqual([1, 3]);
    expect(Date.now() - started).toBeLessThan(1300);
  });

  it('opens with the SSE headers and a retry hint, sends keep-alive comments, and frees the subscription on disconnect', async () => {
    const acct = await env.api.createAccount();
    const raw = await openRawStream(env.api.baseUrl, '/v2/events', acct.token);
    expect(raw.res.status).toBe(200);
    expect(raw.res.headers.get('content-type')).toBe('text/event-stream');
    expect(raw.res.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(raw.res.headers.get('x-accel-buffering')).toBe('no');
    expect(raw.res.headers.get('x-request-id')).toBeTruthy();
    await raw.until((t) => t.includes(': keep-alive\n\n'), 2000);
    expect(raw.text).toMatch(/^retry: \d+\n\n/);
    const tailer = env.tailers()[0];
    expect(tailer.subscriberCount).toBeGreaterThan(0);
    const before = tailer.subscriberCount;
    await raw.close();
    await eventually(() => tailer.subscriberCount === before - 1, 3000, 'subscription released');
  });

  it('ends the stream when the credential is revoked', async () => {
    const acct = await env.api.createAccount();
    const sa = await env.api.core.serviceAccounts.create(acct.accountId, { name: 'short-lived', scopes: ['agents:read'] });
    const raw = await openRawStream(env.api.baseUrl, '/v2/events', sa.client_secret);
    await raw.until((t) => t.includes('retry:'));
    await env.api.core.serviceAccounts.revoke(acct.accountId, sa.id);
    await eventually(() => raw.ended, 3000, 'stream ended after revocation');
  });

  it('rejects bad stream parameters before streaming, in the standard error shape', async () => {
    const acct = await env.api.createAccount();
    const c = client(env.api.baseUrl, acct.token);
    const sse = { accept: 'text/event-stream' };
    expectError(await client(env.api.baseUrl).get('/v2/events', { headers: sse }), 401, 'UNAUTHENTICATED');
    const badId = expectError(await c.get('/v2/events', { headers: { ...sse, 'last-event-id': 'evt_nope' } }), 400, 'VALIDATION_ERROR');
    expect(badId.details[0]).toMatchObject({ field: 'Last-Event-ID', location: 'header' });
    expect(expectError(await c.get('/v2/events?types=agent.updated,agent.exploded', { headers: sse }), 400, 'VALIDATION_ERROR').details[0].field).toBe('types');
    expect(expectError(await c.get('/v2/events?after=-1', { headers: sse }), 400, 'VALIDATION_ERROR').details[0].field).toBe('after');
    expect(expectError(await c.get('/v2/events?agent_id=nope', { headers: sse }), 400, 'VALIDATION_ERROR').details[0].field).toBe('agent_id');
  });
});

async function insertRaw(accountId: string, seq: number, createdAt = new Date()) {
  const agentId = 'agt_01m8h42tjf2497t8a180fbw85f';
  await env.api.core.models.events.create({
    _id: newId('event'),
    account_id: accountId,
    seq,
    type: 'agent.updated',
    agent_id: agentId,
    data: { agent_id: agentId, operation_id: null, changed_fields: ['voice'], prompt_version: seq },
    dedupe_key: `raw:${seq}`,
    created_at: createdAt,
    // As every writer of the log (EventLog.append) stamps it: the tailer reads by day.
    retention_day: retentionDay(createdAt),
  });
}

describe('shutdown', () => {
  it('stopping the tailer ends open streams cleanly, and new streams on that instance get a retryable 503', async () => {
    const acct = await env.api.createAccount();
    const sibling = await env.api.startSibling();
    try {
      const raw = await openRawStream(sibling.baseUrl, '/v2/events', acct.token);
      await raw.until((t) => t.includes('retry:'));
      const tailer = env.tailers()[env.tailers().length - 1];
      tailer.stop();
      await eventually(() => raw.ended, 3000, 'stream ended on shutdown');
      const refused = await client(sibling.baseUrl, acct.token).get('/v2/events', { headers: { accept: 'text/event-stream' } });
      expect(expectError(refused, 503, 'SERVICE_UNAVAILABLE').retryable).toBe(true);
    } finally {
      await sibling.close();
    }
  });
});
