import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { KbDriftResult } from '../../core/knowledge-base/kb-drift-service';
import { kbDriftScheduleId } from '../../core/temporal/kb-drift-schedules';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client } from '../support/http-client';
import { provisionActiveAgent, startStack, Stack, TEMPORAL_ADDRESS, waitForOperation } from '../support/temporal-harness';
import { until } from '../support/webhook-receiver';

/**
 * Drift: each agent's Temporal Schedule re-crawls its site and files a proposal when the site
 * changed. The issue asks for time-skipping, but Temporal's time-skipping test server is a binary
 * downloaded at first use, which this offline setup cannot fetch; so the schedule is run now with
 * its handle's trigger() against the real dev server — the same action a week's wait would take.
 */
const DAY_MS = 24 * 3600 * 1000;

let stack: Stack;
let site: BusinessSite;
let c: ReturnType<typeof client>;
let token: string;
let accountId: string;
let agentId: string;

beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'kb-drift' });
  ({ accountId, token } = await stack.createAccount('Drift Dental'));
  c = client(stack.baseUrl, token);
  agentId = await provisionActiveAgent(stack.baseUrl, token, { name: 'Drift Desk', business_url: site.url, template_id: 'dental_receptionist' });
});
afterAll(async () => {
  await stack?.close();
  await site?.close();
});

const kbPath = () => `/v2/agents/${agentId}/knowledge-base`;
const schedule = () => stack.client.schedule.getHandle(kbDriftScheduleId(agentId));
const proposals = async () => (await c.get(`${kbPath()}/proposals`)).body.data as { id: string; status: string; base_version: number; changes: any[] }[];
const servicesUrl = () => new URL('/services', site.url).href;

/** Triggers the schedule and waits for the run it started to finish; returns that run's result and workflow ID. */
async function triggerDrift(): Promise<{ result: KbDriftResult; workflowId: string }> {
  const before = (await schedule().describe()).info.recentActions.length;
  await schedule().trigger();
  const action = await until('the schedule to start a run', async () => {
    const recent = (await schedule().describe()).info.recentActions;
    return recent.length > before ? recent[recent.length - 1] : undefined;
  });
  const { workflowId, firstExecutionRunId } = action.action.workflow;
  const result = (await stack.client.workflow.getHandle(workflowId, firstExecutionRunId).result()) as KbDriftResult;
  return { result, workflowId };
}

describe('knowledge-base drift', () => {
  it('an active agent has a drift schedule: the default interval, SKIP overlap, the agent task queue', async () => {
    const described = await schedule().describe();
    expect(described.spec.intervals?.[0]?.every).toBe(7 * DAY_MS);
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(described.state.paused).toBe(false);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'checkKnowledgeBaseDrift', taskQueue: stack.taskQueue, args: [{ accountId, agentId }] });
    const kb = await c.get(kbPath());
    expect(kb.body.drift).toEqual({ enabled: true, interval_days: 7 });
  });

  it('an unchanged site files nothing', async () => {
    const crawledBefore = site.requests.filter((r) => r === '/services').length;
    const { result } = await triggerDrift();
    expect(result).toEqual({ status: 'unchanged', proposal_id: null, changes: 0 });
    expect(site.requests.filter((r) => r === '/services').length).toBeGreaterThan(crawledBefore); // it did re-crawl
    expect(await proposals()).toEqual([]);
  });

  it('a changed page becomes a pending proposal with before/after and kb.update_proposed; the KB itself is unchanged', async () => {
    const kbBefore = (await c.get(kbPath())).body;
    site.setPage('/services', site.page('/services')!.replace('We accept Delta Dental, Cigna and Aetna PPO plans.', 'We accept Delta Dental, Cigna, Aetna and MetLife PPO plans.'));
    const { result, workflowId } = await triggerDrift();
    expect(result).toMatchObject({ status: 'proposed', changes: 1, proposal_id: expect.stringMatching(/^kbp_/) });

    const [proposal] = await proposals();
    expect(proposal).toMatchObject({ id: result.proposal_id, status: 'pending', base_version: kbBefore.version, call_ids: [] });
    expect(proposal.changes).toHaveLength(1);
    const [change] = proposal.changes;
    const doc = kbBefore.documents.find((d: { id: string }) => d.id === change.doc_id);
    expect(doc).toMatchObject({ source: 'research', source_url: servicesUrl() });
    expect(change).toMatchObject({ op: 'replace', source_url: servicesUrl(), before: doc.content, evidence: [], rationale: expect.stringContaining('re-crawl') });
    expect(change.before).toContain('Cigna and Aetna');
    expect(change.after).toContain('Cigna, Aetna and MetLife');
    expect(change.site_evidence).toEqual([{ source_url: servicesUrl(), quote: expect.stringContaining('MetLife') }]);

    const event = await until('kb.update_proposed', () => stack.db.connection.db!.collection('events').findOne({ account_id: accountId, type: 'kb.update_proposed', 'data.proposal_id': proposal.id }));
    expect(event!.data).toMatchObject({ agent_id: agentId, doc_id: change.doc_id });
    // Nothing reaches the KB (or callers) before the business approves.
    const kbAfter = (await c.get(kbPath())).body;
    expect(kbAfter.version).toBe(kbBefore.version);
    expect(kbAfter.documents.find((d: { id: string }) => d.id === change.doc_id).content).toBe(doc.content);

    if (process.env.WFW_RECORD_HISTORIES === '1') {
      // Recorded for test/workflows/replay.test.ts, as record-histories.test.ts records the others.
      const json = execFileSync(path.join(__dirname, '../../.tools/bin/temporal'), ['workflow', 'show', '--address', TEMPORAL_ADDRESS, '-w', workflowId, '-o', 'json'], { encoding: 'utf8' });
      writeFileSync(path.join(__dirname, '../fixtures/histories/kb-drift-proposed.json'), json);
    }
  });

  it('the same findings are filed once: a later check, and one that lost its record of the last check', async () => {
    const { result } = await triggerDrift();
    expect(result).toEqual({ status: 'unchanged', proposal_id: null, changes: 0 });
    const [pending] = await proposals();
    // As if the last check died after filing, before it recorded what it saw: the pending proposal is the answer.
    await stack.db.connection.db!.collection('kb_heads').updateOne({ _id: agentId as never }, { $set: { drift_pages: null } });
    const again = await stack.core.kbDrift.check({ accountId, agentId, at: Date.now() });
    expect(again).toMatchObject({ status: 'proposed', proposal_id: pending.id });
    expect((await proposals()).map((p) => p.id)).toEqual([pending.id]);
  });

  it('approving the proposal applies the new text; the next check finds nothing to propose', async () => {
    const [pending] = await proposals();
    const approved = await c.post(`${kbPath()}/proposals/${pending.id}/approve`, {});
    expect(approved.status).toBe(200);
    const kb = (await c.get(kbPath())).body;
    expect(kb.documents.find((d: { id: string }) => d.id === pending.changes[0].doc_id).content).toContain('MetLife');
    const { result } = await triggerDrift();
    expect(result.status).toBe('unchanged');
  });

  it('a new page is proposed as an add, a page gone as a remove', async () => {
    site.setPage('/', site.page('/')!.replace('<a href="/contact">Contact Us</a>', '<a href="/parking">Parking</a>'));
    site.setPage('/contact', null);
    site.setPage('/parking', '<!doctype html><html><head><title>Parking | Smile Dental</title></head><body><h1>Parking</h1><p>Free parking is in the lot behind the building, entrance on Maple Street.</p></body></html>');
    const { result } = await triggerDrift();
    expect(result.status).toBe('proposed');
    const proposal = (await proposals()).find((p) => p.id === result.proposal_id)!;
    const parkingUrl = new URL('/parking', site.url).href;
    const contactUrl = new URL('/contact', site.url).href;
    expect(proposal.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ op: 'add', source_url: parkingUrl, doc_id: expect.stringMatching(/^kb_/), after: expect.stringContaining('entrance on Maple Street'), site_evidence: [{ source_url: parkingUrl, quote: expect.stringContaining('Maple Street') }] }),
        expect.objectContaining({ op: 'remove', source_url: contactUrl, before: expect.stringContaining('742 Evergreen Terrace') }),
      ]),
    );
    // Approved, the added page is found again by its ID on the next check (nothing more to propose).
    expect((await c.post(`${kbPath()}/proposals/${proposal.id}/approve`, {})).status).toBe(200);
    const kb = (await c.get(kbPath())).body;
    expect(kb.documents.some((d: { content: string }) => d.content.includes('entrance on Maple Street'))).toBe(true);
    expect(kb.documents.some((d: { source_url: string | null }) => d.source_url === contactUrl)).toBe(false);
    await stack.db.connection.db!.collection('kb_heads').updateOne({ _id: agentId as never }, { $set: { drift_pages: null } });
    expect((await triggerDrift()).result.status).toBe('unchanged');
  });

  it('PATCH drift: a new interval updates the schedule, disabled removes it, enabled brings it back', async () => {
    const changed = await c.patch(kbPath(), { drift: { interval_days: 3 } });
    expect(changed.status).toBe(200);
    expect(changed.body.drift).toEqual({ enabled: true, interval_days: 3 });
    expect((await schedule().describe()).spec.intervals?.[0]?.every).toBe(3 * DAY_MS);

    const off = await c.patch(kbPath(), { drift: { enabled: false } });
    expect(off.body.drift).toEqual({ enabled: false, interval_days: 3 });
    await expect(schedule().describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    // A run already started (or a schedule left behind) reads the setting and crawls nothing.
    expect(await stack.core.kbDrift.check({ accountId, agentId, at: Date.now() })).toMatchObject({ status: 'disabled' });

    const on = await c.patch(kbPath(), { drift: { enabled: true } });
    expect(on.body.drift).toEqual({ enabled: true, interval_days: 3 });
    expect((await schedule().describe()).spec.intervals?.[0]?.every).toBe(3 * DAY_MS);
    expect((await c.patch(kbPath(), { drift: { interval_days: 0 } })).status).toBe(400);
  });

  it('another account cannot see or change the drift settings', async () => {
    const other = await stack.createAccount('Not Drift Dental');
    const oc = client(stack.baseUrl, other.token);
    expect((await oc.patch(kbPath(), { drift: { enabled: false } })).status).toBe(404);
    expect((await schedule().describe()).spec.intervals?.[0]?.every).toBe(3 * DAY_MS);
    // The service itself is scoped too: a check under another account's ID does nothing.
    expect(await stack.core.kbDrift.check({ accountId: other.accountId, agentId, at: Date.now() })).toMatchObject({ status: 'agent_gone' });
  });

  it('deleting the agent removes its schedule', async () => {
    const removal = await c.delete(`/v2/agents/${agentId}`);
    expect(removal.status).toBe(202);
    const op = await waitForOperation(stack.baseUrl, token, removal.body.operation_id);
    expect(op.status).toBe('succeeded');
    await expect(schedule().describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
