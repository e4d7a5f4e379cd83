import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client, expectError } from '../support/http-client';
import { startStack, Stack, waitForOperation } from '../support/temporal-harness';

let stack: Stack;
let site: BusinessSite;
beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'lifecycle' });
});
afterAll(async () => {
  await stack.close();
  await site.close();
});

const count = (collection: string, filter: Record<string, unknown>) => stack.db.connection.db!.collection(collection).countDocuments(filter);

async function provisioned(token: string, name = 'Front Desk') {
  const accepted = await client(stack.baseUrl, token).post('/v2/agents', { payload: { name, platform: 'local', business_url: site.url, template_id: 'dental_receptionist', voice: 'rachel' } });
  return waitForOperation(stack.baseUrl, token, accepted.body.operation_id);
}

describe('agent lifecycle after provisioning', () => {
  it('PATCH writes a new prompt version, pushes it to the platform and reports changed_fields; rollback restores an old one', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await provisioned(acct.token);
    const agentId = op.agent_id;

    const patched = await c.patch(`/v2/agents/${agentId}`, { voice: 'adam', system_prompt_override: 'You are the Smile Dental front desk. Be brief.' });
    expect(patched.status).toBe(202);
    // While the update runs, a second change is refused, not queued behind it.
    const busy = await c.patch(`/v2/agents/${agentId}`, { name: 'Other' });
    if (busy.status !== 202) expectError(busy, 409, 'CONFLICT');
    else await waitForOperation(stack.baseUrl, acct.token, busy.body.operation_id);

    const update = await waitForOperation(stack.baseUrl, acct.token, patched.body.operation_id);
    expect(update).toMatchObject({ type: 'agent.update', status: 'succeeded', changed_fields: ['voice', 'system_prompt_override'] });
    const agent = (await c.get(`/v2/agents/${agentId}`)).body;
    expect(agent).toMatchObject({ status: 'active', voice: 'adam', prompt_override: true });
    const v2 = agent.prompt_version;
    expect(v2).toBeGreaterThanOrEqual(2);

    const platformAgent = await stack.db.connection.db!.collection('local_platform_agents').findOne({ _id: agent.platform_agent_id } as never);
    expect(platformAgent).toMatchObject({ system_prompt: 'You are the Smile Dental front desk. Be brief.', voice: 'adam' });

    const events = await stack.core.events.list(acct.accountId, { types: ['agent.updated'], limit: 10 });
    expect(events[0].data).toMatchObject({ agent_id: agentId, changed_fields: expect.arrayContaining(['voice', 'system_prompt_override', 'system_prompt_version']), prompt_version: expect.any(Number) });

    const rollback = await c.post(`/v2/agents/${agentId}/prompt-versions/1/rollback`);
    expect(rollback.status).toBe(202);
    await waitForOperation(stack.baseUrl, acct.token, rollback.body.operation_id);
    const versions = (await c.get(`/v2/agents/${agentId}/prompt-versions`)).body.data;
    expect(versions[0]).toMatchObject({ source: 'rollback', rolled_back_from: 1, is_current: true });
    expect(versions[0].system_prompt).toBe(versions[versions.length - 1].system_prompt);
    const after = await stack.db.connection.db!.collection('local_platform_agents').findOne({ _id: agent.platform_agent_id } as never);
    expect(after!.system_prompt).toBe(versions[versions.length - 1].system_prompt);
  });

  it('DELETE deprovisions: platform agent deleted, number released, agent.deleted emitted', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await provisioned(acct.token, 'Temporary');
    const removal = await c.delete(`/v2/agents/${op.agent_id}`);
    expect(removal.status).toBe(202);
    const done = await waitForOperation(stack.baseUrl, acct.token, removal.body.operation_id);
    expect(done).toMatchObject({ type: 'agent.delete', status: 'succeeded' });
    expect(done.steps.map((s: { status: string }) => s.status)).toEqual(['completed', 'completed', 'completed']);
    expect(await count('local_platform_agents', { dedupe_token: op.id })).toBe(0);
    expect(await count('local_phone_numbers', { dedupe_token: op.id })).toBe(0);
    expect((await c.get(`/v2/agents/${op.agent_id}`)).body.status).toBe('deleted');
    expect((await c.get('/v2/agents')).body.data.find((a: { id: string }) => a.id === op.agent_id)).toBeUndefined();
    expectError(await c.delete(`/v2/agents/${op.agent_id}`), 404, 'NOT_FOUND');
    const events = await stack.core.events.list(acct.accountId, { types: ['agent.deleted'], limit: 10 });
    expect(events[0].data).toMatchObject({ agent_id: op.agent_id, released_phone_number: op.phone_number });
  });

  it('a failed update leaves the agent as it was, fields included', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await provisioned(acct.token, 'Stays Put');
    const patched = await c.patch(`/v2/agents/${op.agent_id}`, { business_url: 'http://127.0.0.1:1/', name: 'Renamed' });
    const failed = await waitForOperation(stack.baseUrl, acct.token, patched.body.operation_id);
    expect(failed).toMatchObject({ status: 'failed', error: { step: 'research' } });
    const agent = (await c.get(`/v2/agents/${op.agent_id}`)).body;
    expect(agent).toMatchObject({ status: 'active', name: 'Stays Put', business_url: site.url, prompt_version: 1 });
  });

  it('cancels an operation whose workflow never started (accepted while Temporal was down)', async () => {
    const acct = await stack.createAccount();
    const opId = 'op_01m8h42tj30fjmzbwschxe2qa1';
    const agentId = 'agt_01m8h42tj30fjmzbwschxe2qa1';
    await stack.core.operations.insert(stack.core.operations.newDoc({ id: opId, accountId: acct.accountId, type: 'agent.provision', agentId, request: {} }));
    const now = new Date();
    await stack.core.models.agents.collection.insertOne({ _id: agentId, account_id: acct.accountId, name: 'Never', status: 'provisioning', platform: 'local', template_id: 'dental_receptionist', business_url: site.url, language: 'en', provision_operation_id: opId, last_operation_id: opId, created_at: now, updated_at: now } as never);
    const res = await client(stack.baseUrl, acct.token).post(`/v2/operations/${opId}/cancel`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'canceled', error: { code: 'CANCELED' } });
    expect((await stack.core.provisioning.reconcilePending(0))).toBe(0);
  });

  it('lists and filters agents and operations', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await provisioned(acct.token, 'Filter Me');
    expect((await c.get('/v2/agents?name=Filter%20Me')).body.data.map((a: { id: string }) => a.id)).toEqual([op.agent_id]);
    expect((await c.get('/v2/agents?template_id=hvac_dispatch')).body.data).toEqual([]);
    expect((await c.get('/v2/agents?status=active&platform=local')).body.data).toHaveLength(1);
    expect((await c.get('/v2/operations?status=active&type=agent.provision')).body.data.map((o: { id: string }) => o.id)).toEqual([op.id]);
    expectError(await c.get('/v2/operations?status=exploded'), 400, 'VALIDATION_ERROR');
  });
});

describe('cancel', () => {
  it('cancels a running provisioning and undoes what it had done', async () => {
    const slow = await startStack({ label: 'cancel', config: { localPlatformLatencyMs: 1500 } });
    try {
      const acct = await slow.createAccount();
      const c = client(slow.baseUrl, acct.token);
      const accepted = await c.post('/v2/agents', { payload: { name: 'Cancel Me', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
      await waitForOperation(slow.baseUrl, acct.token, accepted.body.operation_id, ['running'], 20_000);
      // Wait until the platform agent exists, so cancellation has something to undo.
      const deadline = Date.now() + 20_000;
      while ((await slow.db.connection.db!.collection('local_platform_agents').countDocuments({ dedupe_token: accepted.body.operation_id })) === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const cancel = await c.post(`/v2/operations/${accepted.body.operation_id}/cancel`);
      expect(cancel.status).toBe(202);
      const op = await waitForOperation(slow.baseUrl, acct.token, accepted.body.operation_id);
      expect(op.status).toBe('canceled');
      expect(op.error).toMatchObject({ code: 'CANCELED' });
      expect(await slow.db.connection.db!.collection('local_platform_agents').countDocuments({ dedupe_token: op.id })).toBe(0);
      expect(await slow.db.connection.db!.collection('local_phone_numbers').countDocuments({ dedupe_token: op.id })).toBe(0);
      const events = await slow.core.events.list(acct.accountId, { limit: 10 });
      expect(events.map((e) => [e.event_type, e.data.status])).toEqual([['agent.provisioning_failed', 'canceled']]);
      expectError(await c.post(`/v2/operations/${op.id}/cancel`), 409, 'OPERATION_NOT_CANCELABLE');
    } finally {
      await slow.close();
    }
  });
});

describe('batch', () => {
  it('provisions each valid item as its own operation; a bad item fails alone', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const item = (name: string) => ({ payload: { name, platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
    const res = await c.post('/v2/agents/batch', { items: [item('B1'), item('B2'), { payload: { name: 'Bad', platform: 'local' } }, item('B3')] });
    expect(res.status).toBe(202);
    expect(res.body.batch_id).toMatch(/^batch_/);
    expect(res.body.operation_ids).toHaveLength(3);
    expect(res.body.rejected).toEqual([{ index: 2, error: { code: 'VALIDATION_ERROR', message: expect.any(String), details: expect.arrayContaining([expect.objectContaining({ field: 'business_url' })]) } }]);
    for (const id of res.body.operation_ids) await waitForOperation(stack.baseUrl, acct.token, id);
    const batch = await c.get(`/v2/batches/${res.body.batch_id}`);
    expect(batch.body.counts).toMatchObject({ active: 3, rejected: 1, pending: 0, running: 0, failed: 0 });
    expect(new Set(batch.body.operations.map((o: { agent_id: string }) => o.agent_id)).size).toBe(3);
    const listed = await c.get(`/v2/operations?batch_id=${res.body.batch_id}`);
    expect(listed.body.data).toHaveLength(3);
    expectError(await c.post('/v2/agents/batch', { items: Array.from({ length: 101 }, (_, i) => item(`x${i}`)) }), 400, 'VALIDATION_ERROR');
  });
});
