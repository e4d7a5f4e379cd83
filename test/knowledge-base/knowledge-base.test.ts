import { LocalPlatformAdapter } from '../../core/platforms/local-platform-adapter';
import { localPlatformAgentModel } from '../../core/platforms/local-platform-agent-model';
import { AgentDeployment, PlatformCredentials, PlatformError } from '../../core/platforms/platform-adapter';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client, TestResponse } from '../support/http-client';
import { newId } from '../../core/ids/ids';
import { startStack, Stack, waitForOperation } from '../support/temporal-harness';
import { until } from '../support/webhook-receiver';

/** Refuses any push that carries a document titled "Poison": a sync failing at the platform. */
class PoisonablePlatform extends LocalPlatformAdapter {
  pushes = 0;
  override async updateAgent(credentials: PlatformCredentials, platformAgentId: string, deployment: AgentDeployment) {
    this.pushes++;
    if (deployment.knowledge_base.some((d) => d.title === 'Poison')) throw new PlatformError('local', 'invalid_request', 'document rejected', false, 422);
    return super.updateAgent(credentials, platformAgentId, deployment);
  }
}

let stack: Stack;
let site: BusinessSite;
let c: ReturnType<typeof client>;
let agentId: string;
let accountId: string;

beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'kb', worker: false });
  await stack.startWorkerWith({ platforms: { local: new PoisonablePlatform(localPlatformAgentModel(stack.db.connection)) } });
  const account = await stack.createAccount('KB Dental');
  accountId = account.accountId;
  c = client(stack.baseUrl, account.token);
  const created = await c.post('/v2/agents', { payload: { name: 'KB Desk', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
  expect(created.status).toBe(202);
  const op = await waitForOperation(stack.baseUrl, account.token, created.body.operation_id);
  expect(op.status).toBe('active');
  agentId = op.agent_id;
});
afterAll(async () => {
  await stack?.close();
  await site?.close();
});

const kbPath = () => `/v2/agents/${agentId}/knowledge-base`;
const localAgent = async () => {
  const agent = await stack.core.agents.findById(agentId);
  return stack.db.connection.db!.collection('local_platform_agents').findOne({ _id: agent!.platform_agent_id as never });
};
const syncedEvents = () => stack.db.connection.db!.collection('events').find({ account_id: accountId, type: 'kb.synced' }).toArray();

describe('knowledge base', () => {
  it('starts at version 1 from the generated knowledge base, already served', async () => {
    const kb = await c.get(kbPath());
    expect(kb.status).toBe(200);
    expect(kb.body).toMatchObject({ object: 'knowledge_base', agent_id: agentId, version: 1, synced_version: 1, kb_auto_sync: true, kb_auto_apply: false });
    expect(kb.body.documents.length).toBeGreaterThan(0);
    for (const d of kb.body.documents) expect(d).toMatchObject({ id: expect.stringMatching(/^kb_/), source: 'research' });
    expect((await c.get(`${kbPath()}/versions`)).body.data.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  it('versions every change, keeps IDs stable, syncs to the platform once per change, rolls back', async () => {
    const added = await c.post(`${kbPath()}/documents`, { title: 'Parking', content: 'Free parking is behind the building.' });
    expect(added.status).toBe(201);
    const docId = added.body.document.id;
    expect(docId).toMatch(/^kb_/);
    expect(added.body.knowledge_base.version).toBe(2);
    expect(added.body.sync_operation_id).toMatch(/^op_/);
    await until('version 2 synced', async () => (await c.get(kbPath())).body.synced_version === 2);
    // synced_version moves in the sync's last step; the operation and the event settle with it, not before it.
    const operation = await until('the sync operation to end', async () => {
      const op = (await c.get(`/v2/operations/${added.body.sync_operation_id}`)).body;
      return op.status === 'running' || op.status === 'pending' ? undefined : op;
    });
    expect(operation).toMatchObject({ type: 'agent.kb_sync', status: 'succeeded' });
    expect((await localAgent())!.knowledge_base.map((d: { title: string }) => d.title)).toContain('Parking');
    const events = await until('kb.synced', async () => {
      const list = await syncedEvents();
      return list.length > 0 ? list : undefined;
    });
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ agent_id: agentId, doc_id: docId, version: 2 });

    const edited = await c.patch(`${kbPath()}/documents/${docId}`, { content: 'Free parking behind the building; street parking after 6 pm.' });
    expect(edited.status).toBe(200);
    expect(edited.body.document.id).toBe(docId);
    expect(edited.body.knowledge_base.version).toBe(3);
    await until('version 3 synced', async () => (await c.get(kbPath())).body.synced_version === 3);
    expect((await localAgent())!.knowledge_base.find((d: { title: string }) => d.title === 'Parking').content).toContain('after 6 pm');

    // Versions are immutable: version 2 still holds the first text.
    const v2 = await c.get(`${kbPath()}/versions/2`);
    expect(v2.body.documents.find((d: { id: string }) => d.id === docId).content).toBe('Free parking is behind the building.');
    expect(v2.body.change).toMatchObject({ op: 'add', doc_id: docId, by: expect.stringMatching(/^sa_/) });

    const removed = await c.delete(`${kbPath()}/documents/${docId}`);
    expect(removed.status).toBe(200);
    expect(removed.body.knowledge_base.documents.some((d: { id: string }) => d.id === docId)).toBe(false);
    const rolled = await c.post(`${kbPath()}/rollback`, { version: 3 });
    expect(rolled.status).toBe(200);
    expect(rolled.body.knowledge_base.version).toBe(5);
    expect(rolled.body.knowledge_base.documents.find((d: { id: string }) => d.id === docId).content).toContain('after 6 pm');
    expect((await c.get(`${kbPath()}/versions/5`)).body.change).toMatchObject({ op: 'rollback', rolled_back_to: 3 });
    await until('version 5 synced', async () => (await c.get(kbPath())).body.synced_version === 5);
    expect((await c.get(`${kbPath()}/versions?limit=2`)).body).toMatchObject({ has_more: true, data: [{ version: 5 }, { version: 4 }] });
    // A sync pushes the newest version at push time: two changes in quick succession (delete, then
    // rollback) may be served by one push. Each version is announced once, by the sync that served it.
    // synced_version moves when the push lands; the announcement follows in the sync's last step.
    const announced = await until('version 5 announced', async () => {
      const list = await syncedEvents();
      return list.some((e) => (e.data as { version: number }).version === 5) ? list : undefined;
    });
    const versions = announced.map((e) => (e.data as { version: number }).version).sort((a, b) => a - b);
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.length).toBeGreaterThanOrEqual(3);
    expect(versions[versions.length - 1]).toBe(5);
    expect(versions.slice(0, 2)).toEqual([2, 3]);
  });

  it('refuses documents and knowledge bases over their limits with VALIDATION_ERROR details', async () => {
    const big = await c.post(`${kbPath()}/documents`, { title: 'Huge', content: 'x'.repeat(50_001) });
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('VALIDATION_ERROR');
    expect(big.body.error.details[0]).toMatchObject({ issue: 'document_too_large', limit: 50_000 });
    const before = (await c.get(kbPath())).body.version;
    expect((await c.get(`${kbPath()}/versions/${before + 1}`)).status).toBe(404);
    expect((await c.patch(`${kbPath()}/documents/kb_01jzzzzzzzzzzzzzzzzzzzzzzz`, { content: 'x' })).status).toBe(404);
  });

  it('adds a document from a URL, crawled by the guarded researcher', async () => {
    const url = new URL('/services', site.url).href;
    const added = await c.post(`${kbPath()}/documents`, { url });
    expect(added.status).toBe(201);
    expect(added.body.document).toMatchObject({ source: 'url', source_url: url, id: expect.stringMatching(/^kb_/) });
    expect(added.body.document.content).toContain('Cigna'); // the services page's own text
    await until('the URL document synced', async () => (await c.get(kbPath())).body.synced_version === added.body.knowledge_base.version, 30_000);
    // A URL the researcher cannot crawl (refused by the guard or unreachable) is a 400, not a version.
    expect((await c.post(`${kbPath()}/documents`, { url: 'http://127.0.0.1:1/private' })).status).toBe(400);
  });

  it('a sync the platform refuses leaves the previous version serving and synced_version unchanged', async () => {
    const before = (await c.get(kbPath())).body;
    const servedBefore = (await localAgent())!.knowledge_base.map((d: { title: string; content: string }) => [d.title, d.content]);
    const poisoned = await c.post(`${kbPath()}/documents`, { title: 'Poison', content: 'The platform refuses this one.' });
    expect(poisoned.status).toBe(201);
    const op = await until('the sync to fail', async () => {
      const o = (await c.get(`/v2/operations/${poisoned.body.sync_operation_id}`)).body;
      return o.status === 'failed' ? o : undefined;
    }, 30_000);
    expect(op.error).toMatchObject({ step: 'push' });
    const after = (await c.get(kbPath())).body;
    expect(after.version).toBe(before.version + 1);
    expect(after.synced_version).toBe(before.synced_version);
    expect((await localAgent())!.knowledge_base.map((d: { title: string; content: string }) => [d.title, d.content])).toEqual(servedBefore);
    // Removing it syncs again.
    const removed = await c.delete(`${kbPath()}/documents/${poisoned.body.document.id}`);
    await until('the fixed version synced', async () => (await c.get(kbPath())).body.synced_version === removed.body.knowledge_base.version, 30_000);
  });

  it('a sync waits while another sync of the agent holds its lock, then pushes the newest version', async () => {
    const before = (await c.get(kbPath())).body;
    const served = async () => (await localAgent())!.knowledge_base.some((d: { title: string }) => d.title === 'Wheelchair access');
    // Another sync of this agent is mid-push (as a live worker would hold it).
    expect(await stack.core.kbSyncLock.acquire(agentId, 'op_other_sync')).toBe(true);
    let added!: TestResponse;
    try {
      added = await c.post(`${kbPath()}/documents`, { title: 'Wheelchair access', content: 'Step-free entrance on Main Street.' });
      expect(added.status).toBe(201);
      // It retries its push (the lock is contention, not a failure) and pushes nothing meanwhile.
      const waiting = await until('the push to be retried behind the lock', async () => {
        const o = (await c.get(`/v2/operations/${added.body.sync_operation_id}`)).body;
        return o.steps.find((s: { name: string; attempts: number }) => s.name === 'push' && s.attempts >= 2) ? o : undefined;
      }, 30_000);
      expect(waiting.status).toBe('running');
      expect((await c.get(kbPath())).body.synced_version).toBe(before.synced_version);
      expect(await served()).toBe(false);
    } finally {
      await stack.core.kbSyncLock.release(agentId, 'op_other_sync');
    }
    const done = await until('the sync to finish', async () => {
      const o = (await c.get(`/v2/operations/${added.body.sync_operation_id}`)).body;
      return o.status === 'succeeded' ? o : undefined;
    }, 60_000);
    expect(done.status).toBe('succeeded');
    expect((await c.get(kbPath())).body.synced_version).toBe(added.body.knowledge_base.version);
    expect(await served()).toBe(true);
  });

  it('a sync whose API died before starting its workflow is started by the reconciler, once', async () => {
    const added = await c.post(`${kbPath()}/documents`, { title: 'Languages', content: 'We speak English and Spanish.' });
    await until('its own sync', async () => (await c.get(kbPath())).body.synced_version === added.body.knowledge_base.version, 30_000);
    // What POST …/sync leaves when the process dies between the operation insert and the start.
    const orphan = stack.core.operations.newDoc({ id: newId('operation'), accountId, type: 'agent.kb_sync', agentId, request: {} });
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await stack.core.operations.insert({ ...orphan, created_at: twoMinutesAgo, updated_at: twoMinutesAgo });
    expect((await c.get(`/v2/operations/${orphan._id}`)).body.status).toBe('pending');
    await stack.core.provisioning.reconcilePending();
    const done = await until('the orphaned sync to finish', async () => {
      const o = (await c.get(`/v2/operations/${orphan._id}`)).body;
      return o.status === 'succeeded' ? o : undefined;
    }, 30_000);
    expect(done.type).toBe('agent.kb_sync');
    // A second pass finds nothing to start.
    await stack.core.provisioning.reconcilePending();
    expect((await c.get(`/v2/operations/${orphan._id}`)).body.status).toBe('succeeded');
  });

  it('kb_auto_sync off: changes wait for POST …/sync', async () => {
    expect((await c.patch(kbPath(), { kb_auto_sync: false })).body.kb_auto_sync).toBe(false);
    const added = await c.post(`${kbPath()}/documents`, { title: 'Payment', content: 'We take cards and cash.' });
    expect(added.body.sync_operation_id).toBeNull();
    expect((await c.get(kbPath())).body.synced_version).toBe(added.body.knowledge_base.version - 1);
    const sync = await c.post(`${kbPath()}/sync`);
    expect(sync.status).toBe(202);
    await until('manual sync', async () => (await c.get(kbPath())).body.synced_version === added.body.knowledge_base.version);
    await c.patch(kbPath(), { kb_auto_sync: true });
  });

  it('proposes FAQ entries from calls with unanswered questions; approve makes a synced version, reject records why', async () => {
    const calls: string[] = [];
    for (const turns of [
      [
        { role: 'agent', text: 'Smile Dental, how can I help?' },
        { role: 'caller', text: 'Hi there. Do you offer sedation for anxious patients?' },
        { role: 'agent', text: "I'm sorry, I don't have information about that. I can take a message for the team." },
        { role: 'caller', text: 'Okay, thanks.' },
      ],
      [
        { role: 'agent', text: 'Smile Dental, how can I help?' },
        { role: 'caller', text: 'Do you offer sedation for nervous patients?' },
        { role: 'agent', text: 'I am not sure about that, someone will call you back.' },
        { role: 'caller', text: 'Is there a dentist who speaks Spanish?' },
        { role: 'agent', text: "I don't have that information, sorry." },
      ],
    ]) {
      const call = await c.post(`/v2/agents/${agentId}/test-calls`, { turns });
      expect(call.status).toBe(202);
      calls.push(call.body.id);
    }
    for (const id of calls) await until('the call to be analysed', async () => ['completed', 'failed'].includes((await c.get(`/v2/calls/${id}`)).body.extraction_status), 30_000);

    const proposed = await c.post(`${kbPath()}/proposals`, { call_ids: calls });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ id: expect.stringMatching(/^kbp_/), status: 'pending' });
    const changes = proposed.body.changes;
    expect(changes).toHaveLength(2); // sedation grouped across both calls, Spanish alone
    const sedation = changes.find((x: { title: string }) => /sedation/.test(x.title));
    expect(sedation).toMatchObject({ op: 'add', doc_id: expect.stringMatching(/^kb_/), needs_answer: true });
    expect(sedation.evidence).toEqual([
      { call_id: calls[0], turn: 1, quote: 'Do you offer sedation for anxious patients?' },
      { call_id: calls[1], turn: 1, quote: 'Do you offer sedation for nervous patients?' },
    ]);
    const event = await stack.db.connection.db!.collection('events').findOne({ account_id: accountId, type: 'kb.update_proposed' });
    expect(event!.data).toMatchObject({ agent_id: agentId, proposal_id: proposed.body.id });
    // Nothing reaches the KB before approval.
    const before = (await c.get(kbPath())).body;
    expect(before.documents.some((d: { id: string }) => d.id === sedation.doc_id)).toBe(false);

    // An unfilled placeholder is refused; filled in, the approval makes a version from the proposal.
    expect((await c.post(`${kbPath()}/proposals/${proposed.body.id}/approve`, {})).status).toBe(400);
    const filled = changes.map((x: { after: string; title: string }) => ({ ...x, after: /sedation/.test(x.title) ? 'Yes, we offer nitrous oxide and oral sedation.' : 'Dr. Garcia speaks Spanish.' }));
    const approved = await c.post(`${kbPath()}/proposals/${proposed.body.id}/approve`, { changes: filled });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', applied_version: before.version + 1, sync_operation_id: expect.stringMatching(/^op_/) });
    const v = (await c.get(`${kbPath()}/versions/${before.version + 1}`)).body;
    expect(v.change).toMatchObject({ op: 'proposal', proposal_id: proposed.body.id });
    expect(v.documents.find((d: { id: string }) => d.id === sedation.doc_id)).toMatchObject({ source: 'proposal', content: 'Yes, we offer nitrous oxide and oral sedation.' });
    await until('the approval synced', async () => (await c.get(kbPath())).body.synced_version === before.version + 1, 30_000);
    expect((await localAgent())!.knowledge_base.some((d: { content: string }) => d.content.includes('nitrous oxide'))).toBe(true);
    // Approving again is the same approval.
    expect((await c.post(`${kbPath()}/proposals/${proposed.body.id}/approve`, {})).body.applied_version).toBe(before.version + 1);

    const second = await c.post(`${kbPath()}/proposals`, { call_ids: [calls[1]] });
    expect(second.status).toBe(201);
    const rejected = await c.post(`${kbPath()}/proposals/${second.body.id}/reject`, { reason: 'We answer these by phone.' });
    expect(rejected.body).toMatchObject({ status: 'rejected', reject_reason: 'We answer these by phone.' });
    expect((await c.post(`${kbPath()}/proposals/${second.body.id}/approve`, {})).status).toBe(409);
    expect((await c.get(`${kbPath()}/proposals`)).body.data.map((p: { status: string }) => p.status)).toEqual(['rejected', 'approved']);

    // Client-written changes must quote the transcripts verbatim.
    const bad = await c.post(`${kbPath()}/proposals`, { call_ids: [], changes: [{ op: 'add', title: 'X', after: 'Y', rationale: 'r', evidence: [{ call_id: calls[0], turn: 1, quote: 'never said' }] }] });
    expect(bad.status).toBe(400);
  });

  it('flags agent answers that contradict the knowledge base, quoting both; agreeing or unknown values are not flagged', async () => {
    const call = await c.post(`/v2/agents/${agentId}/test-calls`, {
      turns: [
        { role: 'agent', text: 'Smile Dental, how can I help?' },
        { role: 'caller', text: 'What time do you open on Monday?' },
        { role: 'agent', text: 'We open at 9 on Mondays.' },
        { role: 'caller', text: 'And do you take Cigna?' },
        { role: 'agent', text: 'Yes, we accept Cigna.' },
        { role: 'caller', text: 'Can I bring my dog?' },
        { role: 'agent', text: 'Yes, dogs are welcome until 6 pm.' },
      ],
    });
    expect(call.status).toBe(202);
    await until('the call to be analysed', async () => ['completed', 'failed'].includes((await c.get(`/v2/calls/${call.body.id}`)).body.extraction_status), 30_000);
    const kb = (await c.get(kbPath())).body;

    const proposed = await c.post(`${kbPath()}/proposals`, { call_ids: [call.body.id] });
    expect(proposed.status).toBe(201);
    // no unanswered question in this call: the proposal holds the flag alone
    expect(proposed.body).toMatchObject({ status: 'pending', changes: [], drafted_by: null });
    expect(proposed.body.flags).toHaveLength(1);
    const flag = proposed.body.flags[0];
    expect(flag).toMatchObject({ kind: 'contradiction', value_kind: 'time', call_id: call.body.id, turn: 2, quote: 'We open at 9 on Mondays.', agent_values: ['9'] });
    expect(flag.kb_quote).toContain('8:00 AM');
    const flagged = kb.documents.find((d: { id: string }) => d.id === flag.doc_id);
    expect(flagged.content).toContain(flag.kb_quote);
    expect(flag.doc_title).toBe(flagged.title);
    expect((await c.get(`${kbPath()}/proposals/${proposed.body.id}`)).body.flags).toEqual(proposed.body.flags);

    // A flag changes nothing by itself: approving needs the correction as a change; rejecting records why.
    const approve = await c.post(`${kbPath()}/proposals/${proposed.body.id}/approve`, {});
    expect(approve.status).toBe(400);
    expect(approve.body.error.details[0]).toMatchObject({ issue: 'no_changes' });
    expect((await c.post(`${kbPath()}/proposals/${proposed.body.id}/reject`, { reason: 'The agent was wrong; prompt fixed.' })).body.status).toBe('rejected');
  });
});
