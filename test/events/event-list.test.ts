import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EVENT_SCHEMAS, EVENT_TYPES } from '../../core/events/event-types';
import { client, expectError } from '../support/http-client';
import { appendAgentEvent, EventApi, eventually, newAgentId, startEventApi, TEST_EVENTS_CONFIG } from './event-test-kit';

let env: EventApi;
beforeAll(async () => {
  env = await startEventApi('events-list');
});
afterAll(() => env.close());

describe('GET /v2/events?format=json', () => {
  it('pages newest first with no gaps or repeats, in the list envelope', async () => {
    const acct = await env.api.createAccount();
    for (let i = 0; i < 25; i++) await appendAgentEvent(env.api.core, acct.accountId);
    const c = client(env.api.baseUrl, acct.token);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: any; headers: Headers } = await c.get(`/v2/events?format=json&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'has_more', 'next_cursor']);
      seen.push(...res.body.data.map((e: any) => e.sequence));
      cursor = res.body.next_cursor;
      expect(res.body.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));

    const first = (await c.get('/v2/events?format=json&limit=1')).body.data[0];
    expect(Object.keys(first).sort()).toEqual(['created_at', 'data', 'event_id', 'event_type', 'idempotency_key', 'sequence']);
    expect(first.idempotency_key).toBe(first.event_id);
    // Accept: application/json alone also selects the list.
    const negotiated = await c.get('/v2/events?limit=2', { headers: { accept: 'application/json' } });
    expect(negotiated.body.data.map((e: any) => e.sequence)).toEqual([25, 24]);
  });

  it('with after=<seq> returns what follows in ascending order, for polling', async () => {
    const acct = await env.api.createAccount();
    for (let i = 0; i < 25; i++) await appendAgentEvent(env.api.core, acct.accountId);
    const c = client(env.api.baseUrl, acct.token);
    const page1 = await c.get('/v2/events?format=json&after=5&limit=10');
    expect(page1.body.data.map((e: any) => e.sequence)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(page1.body.has_more).toBe(true);
    const page2 = await c.get(`/v2/events?format=json&limit=10&cursor=${encodeURIComponent(page1.body.next_cursor)}`);
    expect(page2.body.data.map((e: any) => e.sequence)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(page2.body.has_more).toBe(false);
    expect(page2.body.next_cursor).toBeNull();
    const caughtUp = await c.get('/v2/events?format=json&after=25');
    expect(caughtUp.body).toEqual({ data: [], has_more: false, next_cursor: null });
  });

  it('polling with after stops before a hole that may still fill, and passes it once it is old', async () => {
    const acct = await env.api.createAccount();
    const { core } = env.api;
    await appendAgentEvent(core, acct.accountId); // 1
    await core.models.eventSequences.updateOne({ _id: acct.accountId }, { $inc: { seq: 1 } }); // 2: in flight, or lost
    const third = await appendAgentEvent(core, acct.accountId); // 3
    const c = client(env.api.baseUrl, acct.token);
    const now = await c.get('/v2/events?format=json&after=0');
    expect(now.body.data.map((e: any) => e.sequence)).toEqual([1]);
    expect(now.body.has_more).toBe(false);
    // Poll as a client would: nothing past the hole until it is older than the grace period, then 3.
    const seen: number[][] = [];
    await eventually(async () => {
      const page = await c.get('/v2/events?format=json&after=1');
      seen.push(page.body.data.map((e: any) => e.sequence));
      return seen[seen.length - 1].length > 0;
    }, TEST_EVENTS_CONFIG.gapGraceMs + 5000, 'the hole to be passed');
    const passedAt = Date.now();
    expect(seen[seen.length - 1]).toEqual([3]);
    expect(seen.slice(0, -1).every((ids) => ids.length === 0)).toBe(true);
    expect(passedAt - Date.parse(third.created_at)).toBeGreaterThanOrEqual(TEST_EVENTS_CONFIG.gapGraceMs);
  });

  it('filters by type and agent, and never shows another account’s events', async () => {
    const a = await env.api.createAccount('A');
    const b = await env.api.createAccount('B');
    const agentX = newAgentId();
    const { core } = env.api;
    await appendAgentEvent(core, a.accountId, agentX);
    await appendAgentEvent(core, a.accountId);
    await core.events.append(a.accountId, 'kb.synced', { agent_id: agentX, doc_id: 'kb_1', version: 1 }, { dedupeKey: 'kb1', agentId: agentX });
    await appendAgentEvent(core, b.accountId, agentX);
    const ca = client(env.api.baseUrl, a.token);
    expect((await ca.get(`/v2/events?format=json&agent_id=${agentX}`)).body.data.map((e: any) => e.sequence)).toEqual([3, 1]);
    expect((await ca.get('/v2/events?format=json&types=kb.synced')).body.data.map((e: any) => e.event_type)).toEqual(['kb.synced']);
    expect((await ca.get(`/v2/events?format=json&after=0&types=agent.updated&agent_id=${agentX}`)).body.data.map((e: any) => e.sequence)).toEqual([1]);
    const bList = (await client(env.api.baseUrl, b.token).get('/v2/events?format=json')).body.data;
    expect(bList).toHaveLength(1);
    expect(bList[0].sequence).toBe(1);
    const aIds = new Set((await ca.get('/v2/events?format=json')).body.data.map((e: any) => e.event_id));
    expect(aIds.has(bList[0].event_id)).toBe(false);
  });

  it('rejects bad parameters with the standard error shape', async () => {
    const acct = await env.api.createAccount();
    const c = client(env.api.baseUrl, acct.token);
    for (const q of ['limit=0', 'limit=101', 'limit=ten', 'after=-1', 'after=1.5', 'types=agent.exploded', 'types=,', 'agent_id=agt_bad', 'format=xml']) {
      const err = expectError(await c.get(`/v2/events?format=json&${q}`), 400, 'VALIDATION_ERROR');
      expect(err.details[0].location).toBe('query');
    }
    expectError(await c.get('/v2/events?format=json&cursor=not-a-cursor'), 400, 'INVALID_CURSOR');
    const both = await c.get(`/v2/events?format=json&after=1&cursor=${encodeURIComponent(Buffer.from(JSON.stringify({ l: 'events', k: 'a1' })).toString('base64url'))}`);
    expectError(both, 400, 'VALIDATION_ERROR');
    const foreign = Buffer.from(JSON.stringify({ l: 'service_accounts', k: 'sa_x' })).toString('base64url');
    expectError(await c.get(`/v2/events?format=json&cursor=${foreign}`), 400, 'INVALID_CURSOR');
    expectError(await client(env.api.baseUrl).get('/v2/events?format=json'), 401, 'UNAUTHENTICATED');
  });
});

describe('GET /v2/event-types', () => {
  it('lists exactly the 12 types, each with its description and the JSON Schema of its data', async () => {
    const acct = await env.api.createAccount();
    const res = await client(env.api.baseUrl, acct.token).get('/v2/event-types');
    expect(res.status).toBe(200);
    expect(res.body.has_more).toBe(false);
    expect(res.body.next_cursor).toBeNull();
    expect(res.body.data.map((t: any) => t.type)).toEqual(EVENT_TYPES);
    expect(res.body.data).toHaveLength(12);
    for (const t of res.body.data) {
      expect(t.description).toBe(EVENT_SCHEMAS[t.type as keyof typeof EVENT_SCHEMAS].description);
      expect(t.schema.type).toBe('object');
      expect(t.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
    const activated = res.body.data.find((t: any) => t.type === 'agent.activated').schema;
    expect(activated.required).toEqual(expect.arrayContaining(['agent_id', 'phone_number', 'status']));
    expect(activated.properties.status).toEqual({ type: 'string', const: 'active' });
    expectError(await client(env.api.baseUrl).get('/v2/event-types'), 401, 'UNAUTHENTICATED');
  });
});

describe('OpenAPI with the event routes mounted', () => {
  it('documents them with scopes, schemas and error responses, and still lints clean', async () => {
    const doc = (await client(env.api.baseUrl).get('/v2/openapi.json')).body;
    const stream = doc.paths['/v2/events'].get;
    expect(stream['x-required-scope']).toBe('agents:read');
    expect(Object.keys(stream.responses['200'].content)).toEqual(['text/event-stream']);
    for (const status of ['400', '401', '403', '429']) expect(stream.responses[status].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    expect(doc.paths['/v2/event-types'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/EventTypeList');
    expect(doc.components.schemas.EventEnvelope).toBeDefined();

    const dir = mkdtempSync(path.join(os.tmpdir(), 'wfw-openapi-events-'));
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = execFileSync('node', [path.join(__dirname, '../support/lint-openapi.mjs'), file], { encoding: 'utf8' });
    const inputless = new Set(['#/paths/~1healthz/get/responses', '#/paths/~1readyz/get/responses', '#/paths/~1v2~1openapi.json/get/responses']);
    const problems = JSON.parse(out).filter((p: any) => !(p.rule === 'operation-4xx-response' && inputless.has(p.where)));
    expect(problems).toEqual([]);
  });
});
