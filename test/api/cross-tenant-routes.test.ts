import { apiRoutes } from '../../api/app';
import type { RouteSpec } from '../../api/http/route';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client, request } from '../support/http-client';
import { startStack, Stack, waitForOperation } from '../support/temporal-harness';
import { startReceiver, until } from '../support/webhook-receiver';

/**
 * Generated from the route table: every route whose path takes a parameter naming something of
 * the account is called, for its method, by account B (full scopes) on account A's real
 * resource, and must answer 404 NOT_FOUND — never 403, never 2xx, never 5xx.
 */

let stack: Stack;
let site: BusinessSite;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  site = await serveBusinessSite();
  receiver = await startReceiver();
  stack = await startStack({ label: 'xtenant' });
});
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
  await site?.close();
});

/** Routes with a path parameter that does not name another account's resource, and why. */
const NOT_ACCOUNT_RESOURCES: Record<string, string> = {
  'GET /v2/templates/{id}': 'templates are one catalogue shared by every account, not an account resource',
  'PUT /v2/platform-credentials/{platform}':
    "{platform} names a platform, not a resource: PUT stores the caller's own credentials for it (checked below to leave the other account's untouched)",
  'PUT /v2/do-not-call/{number}': "{number} names a phone number, not a resource: PUT lists it on the caller's own do-not-call list (account A's entry is checked below to be untouched)",
  'POST /v2/platform-notifications/{platform}/{account_id}':
    "public: a platform proves it speaks for the account by the account's signature, not a token; unsigned or other-account-signed requests are refused 401 (test/calls/ingestion.test.ts)",
  'POST /v2/platform-notifications/vapi/{account_id}/knowledge-base':
    "public, as the notification route: Vapi's knowledge-base-request is signed with the account's secret; unsigned or other-account-signed requests are refused 401 and another account's assistant 404 (test/knowledge-base/vapi-knowledge-base-server.test.ts)",
};

/** Well-formed bodies, so that the handler (not validation) answers; checked against each route's schema. */
const BODIES: Record<string, unknown> = {
  updateAgent: { name: 'Taken Over' },
  updateWebhook: { url: 'http://127.0.0.1:9/attacker' },
  createTestCall: { turns: [{ role: 'caller', text: 'I would like to book a cleaning.' }] },
  updateKnowledgeBaseSettings: { kb_auto_sync: false },
  addKnowledgeBaseDocument: { title: 'Taken Over', content: 'attacker text' },
  updateKnowledgeBaseDocument: { content: 'attacker text' },
  rollbackKnowledgeBase: { version: 1 },
  createKnowledgeBaseProposal: { call_ids: [] },
  approveKnowledgeBaseProposal: {},
  rejectKnowledgeBaseProposal: { reason: 'attacker' },
};

const key = (r: RouteSpec) => `${r.method.toUpperCase()} ${r.path}`;
const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

describe('cross-tenant access on every route that takes an ID', () => {
  it("answers 404 NOT_FOUND for account A's real resources when account B asks, on every method", async () => {
    const payload = { name: 'Front Desk', platform: 'local', business_url: site.url, template_id: 'dental_receptionist', voice: 'rachel' };
    const a = await stack.createAccount('Alpha');
    const b = await stack.createAccount('Beta');
    const asA = client(stack.baseUrl, a.token);

    // One real resource of each kind in account A.
    expect((await asA.put('/v2/platform-credentials/elevenlabs', { api_key: 'xi-alpha-key-1234567890' })).status).toBe(201);
    const sa = await asA.post('/v2/service-accounts', { name: 'alpha-bot' });
    expect(sa.status).toBe(201);
    const created = await asA.post('/v2/agents', { payload });
    expect(created.status).toBe(202);
    const op = await waitForOperation(stack.baseUrl, a.token, created.body.operation_id);
    // A provisioning operation ends `active` (its agent is live).
    expect(op.status).toBe('active');
    const batch = await asA.post('/v2/agents/batch', { items: [{ payload: { ...payload, name: 'Batch Desk' } }] });
    expect(batch.status).toBe(202);
    for (const id of batch.body.operation_ids) expect((await waitForOperation(stack.baseUrl, a.token, id)).status).toBe('active');
    const webhook = await asA.post('/v2/webhooks', { url: receiver.url });
    expect(webhook.status).toBe(201);
    const sent = await asA.post(`/v2/webhooks/${webhook.body.id}/test`);
    expect(sent.status).toBe(202);
    await until('the test delivery to succeed', async () => (await asA.get(`/v2/webhooks/${webhook.body.id}/deliveries/${sent.body.id}`)).body.status === 'succeeded');
    const versions = (await asA.get(`/v2/agents/${op.agent_id}/prompt-versions`)).body.data;
    expect(versions.length).toBeGreaterThanOrEqual(1);
    const call = await asA.post(`/v2/agents/${op.agent_id}/test-calls`, { turns: [{ role: 'caller', text: 'Hello, is this the dentist?' }] });
    expect(call.status).toBe(202);
    await until('the test call to be analysed', async () => (await asA.get(`/v2/calls/${call.body.id}`)).body.extraction_status === 'completed');
    // A's knowledge-base document (a new version, synced) and a pending proposal from its test call.
    const kbDoc = await asA.post(`/v2/agents/${op.agent_id}/knowledge-base/documents`, { title: 'Parking', content: 'Free parking behind the building.' });
    expect(kbDoc.status).toBe(201);
    await until('the KB sync to finish', async () => (await asA.get(`/v2/operations/${kbDoc.body.sync_operation_id}`)).body.status === 'succeeded');
    const kbCall = await asA.post(`/v2/agents/${op.agent_id}/test-calls`, {
      turns: [
        { role: 'caller', text: 'Do you offer sedation?' },
        { role: 'agent', text: "I don't have information about that." },
      ],
    });
    await until('the KB test call to be analysed', async () => (await asA.get(`/v2/calls/${kbCall.body.id}`)).body.extraction_status === 'completed');
    const proposal = await asA.post(`/v2/agents/${op.agent_id}/knowledge-base/proposals`, { call_ids: [kbCall.body.id] });
    expect(proposal.status).toBe(201);
    const dncNumber = '+13125550166';
    expect((await asA.put(`/v2/do-not-call/${encodeURIComponent(dncNumber)}`, { reason: 'alpha customer asked' })).status).toBe(201);
    // A batch that stays running (its window is closed for the next day) so its cancel route answers for A.
    const closed = new Date(Date.now() - 10 * 60_000);
    const hhmm = (x: Date) => `${String(x.getUTCHours()).padStart(2, '0')}:${String(x.getUTCMinutes()).padStart(2, '0')}`;
    const callBatch = await asA.post('/v2/call-batches', {
      agent_id: op.agent_id,
      window: { timezone: 'UTC', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], start: hhmm(closed), end: hhmm(new Date(closed.getTime() + 60_000)) },
      recipients: [{ to_number: '+13125550167', simulation: { outcome: 'answered' } }],
    });
    expect(callBatch.status).toBe(202);

    // A's resource for each path parameter, by the collection the path starts with (or the parameter's name).
    const byCollection: Record<string, string> = {
      agents: op.agent_id,
      operations: op.id,
      batches: batch.body.id,
      webhooks: webhook.body.id,
      'service-accounts': sa.body.id,
      'platform-credentials': 'elevenlabs',
      calls: call.body.id,
      'call-batches': callBatch.body.id,
      'do-not-call': dncNumber,
    };
    const byName: Record<string, string> = { doc_id: kbDoc.body.document.id, proposal_id: proposal.body.id, delivery_id: sent.body.id, version: String(versions[versions.length - 1].version) };
    const resolve = (path: string, param: string): string | undefined => byName[param] ?? byCollection[path.split('/')[2]];

    const routes = apiRoutes({ core: stack.core, probes: [] });
    const withParams = routes.filter((r) => pathParams(r.path).length > 0);
    // A stale exception (the route is gone or lost its parameter) fails here.
    for (const listed of Object.keys(NOT_ACCOUNT_RESOURCES)) expect(withParams.map(key)).toContain(listed);
    const checked = withParams.filter((r) => !(key(r) in NOT_ACCOUNT_RESOURCES));

    const failures: string[] = [];
    for (const route of checked) {
      const params: Record<string, string> = {};
      for (const p of pathParams(route.path)) {
        const value = resolve(route.path, p);
        if (value === undefined) {
          failures.push(`${key(route)}: no resource of account A for {${p}} — create one above`);
          continue;
        }
        params[p] = value;
      }
      if (Object.keys(params).length !== pathParams(route.path).length) continue;
      // The parameters and the body are valid, so what answers is the lookup, not validation.
      if (route.params && !route.params.safeParse(params).success) failures.push(`${key(route)}: resolved parameters do not validate`);
      const body = BODIES[route.operationId];
      if (route.body && (body === undefined || !route.body.safeParse(body).success)) failures.push(`${key(route)}: needs a well-formed body in BODIES`);
      const path = route.path.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(params[p]));
      const res = await request(stack.baseUrl, route.method.toUpperCase(), path, { token: b.token, body });
      if (res.status !== 404 || res.body?.error?.code !== 'NOT_FOUND') failures.push(`${key(route)} → ${res.status} ${res.text.slice(0, 200)}`);
    }

    // A delivery of A's is not found under B's own webhook either.
    const bWebhook = await client(stack.baseUrl, b.token).post('/v2/webhooks', { url: receiver.url });
    expect(bWebhook.status).toBe(201);
    for (const [method, suffix] of [['GET', ''], ['POST', '/retry']]) {
      const res = await request(stack.baseUrl, method, `/v2/webhooks/${bWebhook.body.id}/deliveries/${sent.body.id}${suffix}`, { token: b.token });
      if (res.status !== 404 || res.body?.error?.code !== 'NOT_FOUND') failures.push(`${method} B's webhook + A's delivery${suffix} → ${res.status} ${res.text.slice(0, 200)}`);
    }
    // B's PUT of the same platform stores B's own credentials and leaves A's alone.
    expect((await client(stack.baseUrl, b.token).put('/v2/platform-credentials/elevenlabs', { api_key: 'xi-beta-key-0987654321' })).status).toBe(201);

    expect(failures).toEqual([]);
    // Every kind of ID route was reached: agents, prompt versions, operations, batches, webhooks, deliveries, credentials, service accounts.
    expect(new Set(checked.map((r) => r.path.split('/')[2]))).toEqual(new Set(Object.keys(byCollection)));
    expect(checked.length).toBeGreaterThanOrEqual(19); // the ID routes of today: a shrinking table means routes went missing

    // Nothing B tried changed A's resources.
    const agent = (await asA.get(`/v2/agents/${op.agent_id}`)).body;
    expect(agent).toMatchObject({ status: 'active', name: 'Front Desk' });
    expect((await asA.get(`/v2/operations?agent_id=${op.agent_id}`)).body.data.map((o: { type: string }) => o.type)).toEqual(['agent.kb_sync', 'agent.provision']);
    const kbAfter = (await asA.get(`/v2/agents/${op.agent_id}/knowledge-base`)).body;
    expect(kbAfter).toMatchObject({ version: 2, synced_version: 2, kb_auto_sync: true });
    expect(kbAfter.documents.find((d: { id: string }) => d.id === kbDoc.body.document.id).content).toBe('Free parking behind the building.');
    expect((await asA.get(`/v2/agents/${op.agent_id}/knowledge-base/proposals/${proposal.body.id}`)).body.status).toBe('pending');
    expect((await asA.get(`/v2/webhooks/${webhook.body.id}`)).body).toMatchObject({ url: receiver.url, enabled: true });
    expect((await asA.get(`/v2/webhooks/${webhook.body.id}/deliveries/${sent.body.id}`)).body.attempt_count).toBe(1);
    expect((await asA.get(`/v2/service-accounts/${sa.body.id}`)).body.status).toBe('active');
    expect((await client(stack.baseUrl, sa.body.client_secret).get('/v2/account')).status).toBe(200);
    expect(await stack.core.credentials.platformCredentials(a.accountId, 'elevenlabs')).toMatchObject({ api_key: 'xi-alpha-key-1234567890' });
    // B's PUT of A's listed number lists it for B only; B's DELETE (404 above) left A's entry, and A's batch runs on.
    expect((await client(stack.baseUrl, b.token).put(`/v2/do-not-call/${encodeURIComponent(dncNumber)}`)).status).toBe(201);
    expect((await asA.get('/v2/do-not-call')).body.data).toEqual([expect.objectContaining({ number: dncNumber, reason: 'alpha customer asked' })]);
    expect((await asA.get(`/v2/call-batches/${callBatch.body.id}`)).body.status).toBe('running');
    await asA.post(`/v2/call-batches/${callBatch.body.id}/cancel`);
    // Ended before the worker stops, so no batch workflow is left running on this test's queue.
    await until('the batch to end', async () => (await asA.get(`/v2/call-batches/${callBatch.body.id}`)).body.status === 'canceled');
  });
});
