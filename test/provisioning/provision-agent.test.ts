import { agentPayloadSchema } from '../../core/agents/agent-payload';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client, expectError } from '../support/http-client';
import { startStack, Stack, waitForOperation } from '../support/temporal-harness';

let stack: Stack;
let site: BusinessSite;
beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'provision' });
});
afterAll(async () => {
  await stack.close();
  await site.close();
});

function payload(overrides: Record<string, unknown> = {}) {
  return { payload: { name: 'My Dental AI', platform: 'local', business_url: site.url, template_id: 'dental_receptionist', ...overrides } };
}

async function countIn(collection: string, filter: Record<string, unknown> = {}): Promise<number> {
  return stack.db.connection.db!.collection(collection).countDocuments(filter);
}

describe('POST /v2/agents → operation → active agent', () => {
  it('provisions an agent end to end: research, prompt, deploy, number, activate', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const accepted = await c.post('/v2/agents', payload(), { idempotencyKey: 'provision-smile-dental-001' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ operation_id: expect.stringMatching(/^op_/), status: 'pending', estimated_seconds: expect.any(Number), agent_id: expect.stringMatching(/^agt_/) });
    expect(accepted.headers.get('location')).toBe(`/v2/operations/${accepted.body.operation_id}`);

    // The operation ID is the workflow ID.
    const description = await stack.client.workflow.getHandle(accepted.body.operation_id).describe();
    expect(description.type).toBe('provisionAgent');

    const op = await waitForOperation(stack.baseUrl, acct.token, accepted.body.operation_id);
    expect(op).toMatchObject({ status: 'active', agent_id: accepted.body.agent_id, phone_number: expect.stringMatching(/^\+1\d{10}$/), provisioning_time_seconds: expect.any(Number), error: null });
    expect(op.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['research', 'completed'],
      ['generate', 'completed'],
      ['deploy', 'completed'],
      ['number', 'completed'],
      ['activate', 'completed'],
    ]);
    for (const s of op.steps) expect(Date.parse(s.completed_at)).toBeGreaterThanOrEqual(Date.parse(s.started_at));

    const agent = await c.get(`/v2/agents/${op.agent_id}`);
    expect(agent.body).toMatchObject({ object: 'agent', status: 'active', platform: 'local', template_id: 'dental_receptionist', phone_number: op.phone_number, prompt_version: 1 });
    expect(agent.body.platform_agent_id).toMatch(/^local_agent_/);

    // The prompt is about this business: the research reached the agent.
    const versions = await c.get(`/v2/agents/${op.agent_id}/prompt-versions`);
    expect(versions.body.data).toHaveLength(1);
    const prompt = versions.body.data[0].system_prompt as string;
    expect(prompt).toContain('Smile Dental of Springfield');
    expect(prompt).toMatch(/217.?555.?0142/);
    expect(versions.body.data[0].knowledge_base.length).toBeGreaterThan(0);
    expect(site.requests).toContain('/services');

    // Exactly one platform agent and one number, and the activation event.
    expect(await countIn('local_platform_agents', { dedupe_token: op.id })).toBe(1);
    expect(await countIn('local_phone_numbers', { dedupe_token: op.id })).toBe(1);
    const events = await stack.core.events.list(acct.accountId, { limit: 10 });
    expect(events.map((e) => e.event_type)).toEqual(['agent.activated']);
    expect(events[0].data).toMatchObject({ agent_id: op.agent_id, phone_number: op.phone_number, status: 'active' });

    // estimated_seconds now comes from real durations.
    const next = await c.post('/v2/agents', payload({ name: 'Second' }));
    expect(next.body.estimated_seconds).toBe(Math.max(1, Math.ceil(op.provisioning_time_seconds)));
    await waitForOperation(stack.baseUrl, acct.token, next.body.operation_id);
  });

  it('never creates a second workflow or agent for concurrent duplicate requests', async () => {
    const acct = await stack.createAccount();
    const results = await Promise.all(Array.from({ length: 8 }, () => client(stack.baseUrl, acct.token).post('/v2/agents', payload(), { idempotencyKey: 'dup-provision' })));
    const accepted = results.filter((r) => r.status === 202);
    expect(results.every((r) => r.status === 202 || r.status === 409)).toBe(true);
    expect(new Set(accepted.map((r) => r.body.operation_id)).size).toBe(1);
    const opId = accepted[0].body.operation_id;
    await waitForOperation(stack.baseUrl, acct.token, opId);
    expect(await countIn('agents', { account_id: acct.accountId })).toBe(1);
    expect(await countIn('operations', { account_id: acct.accountId })).toBe(1);

    // A duplicate start of the same operation (a retry, the reconciler) attaches to the same workflow.
    await stack.core.provisioning['workflows'].startProvision({ operationId: opId, accountId: acct.accountId, agentId: accepted[0].body.agent_id });
    const runs = await stack.client.workflow.list({ query: `WorkflowId = '${opId}'` });
    let n = 0;
    for await (const _ of runs) n++;
    expect(n).toBe(1);
    expect(await countIn('local_platform_agents', { dedupe_token: opId })).toBe(1);
  });

  it('a re-run of the same keyed request after a crash lands on the operation and agent the first run wrote', async () => {
    const acct = await stack.createAccount();
    const seed = { key: 'crash-rerun', claimedAt: new Date() };
    const body = agentPayloadSchema.parse(payload().payload);
    const first = await stack.core.provisioning.provision(acct.accountId, body, { seed });
    const rerun = await stack.core.provisioning.provision(acct.accountId, body, { seed });
    expect(rerun).toEqual(first);
    expect((await waitForOperation(stack.baseUrl, acct.token, first.operation_id)).status).toBe('active');
    expect(await countIn('agents', { account_id: acct.accountId })).toBe(1);
    expect(await countIn('operations', { account_id: acct.accountId })).toBe(1);
    expect(await countIn('local_phone_numbers', { dedupe_token: first.operation_id })).toBe(1);
  });

  it('rejects bad payloads before anything starts, naming each field', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const err = expectError(await c.post('/v2/agents', { payload: { name: '', platform: 'skype', business_url: 'ftp://x', template_id: 'astronaut' } }), 400, 'VALIDATION_ERROR');
    expect(err.details.map((d: { field: string }) => d.field).sort()).toEqual(['payload.business_url', 'payload.name', 'payload.platform', 'payload.template_id']);
    const unconfigured = expectError(await c.post('/v2/agents', payload({ platform: 'vapi' })), 422, 'PLATFORM_NOT_CONFIGURED');
    expect(unconfigured.recovery).toBe('configure_platform_credentials');
    expect(await countIn('operations', { account_id: acct.accountId })).toBe(0);
  });

  it("keeps each account's agents and operations to itself", async () => {
    const a = await stack.createAccount('A');
    const b = await stack.createAccount('B');
    const accepted = await client(stack.baseUrl, a.token).post('/v2/agents', payload());
    const op = await waitForOperation(stack.baseUrl, a.token, accepted.body.operation_id);
    const asB = client(stack.baseUrl, b.token);
    expectError(await asB.get(`/v2/operations/${op.id}`), 404, 'NOT_FOUND');
    expectError(await asB.get(`/v2/agents/${op.agent_id}`), 404, 'NOT_FOUND');
    expectError(await asB.delete(`/v2/agents/${op.agent_id}`), 404, 'NOT_FOUND');
    expect((await asB.get('/v2/agents')).body.data).toEqual([]);
    expect((await asB.get('/v2/operations')).body.data).toEqual([]);
  });
});
