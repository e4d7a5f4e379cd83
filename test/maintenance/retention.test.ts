import { createCore, Core } from '../../core/composition-root';
import { loadConfig } from '../../core/config/config';
import { retentionDay } from '../../core/maintenance/retention';
import { newId } from '../../core/ids/ids';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';

let db: TestDatabase;
let core: Core;
const DAY = 24 * 3600 * 1000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const ACCOUNT = 'acct_01m8h42tj30fjmzbwschxe2qyy';

beforeAll(async () => {
  db = await createTestDatabase('retention');
  // The seeded history reaches 100 days back: the first pass must look that far.
  core = createCore({ ...loadConfig({ WFW_RETENTION_FIRST_LOOKBACK_DAYS: '120' }), mongodbUri: db.uri }, db.connection, testLogger());
  await core.ensureIndexes();
});
afterAll(async () => {
  core.outbound.close();
  await db.drop();
});

async function sweepOnce(): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const sweep of core.retention) removed[sweep.name] = await sweep.run();
  return removed;
}

/** A pass works through at most 31 days: the 120-day look-back takes four passes to catch up. */
async function sweepUntilCaughtUp(): Promise<Record<string, number>> {
  const total: Record<string, number> = {};
  for (let pass = 0; pass < 4; pass++) {
    for (const [name, n] of Object.entries(await sweepOnce())) total[name] = (total[name] ?? 0) + n;
  }
  return total;
}

function event(days: number, i: number) {
  const at = ago(days);
  return { _id: newId('event'), account_id: ACCOUNT, seq: 0, type: 'kb.synced', agent_id: null, data: { i }, dedupe_key: `d-${days}-${i}`, created_at: at, retention_day: retentionDay(at) };
}

function operation(days: number, status: string, agentId: string) {
  const at = ago(days);
  const doc = core.operations.newDoc({ id: newId('operation'), accountId: ACCOUNT, type: 'agent.provision', agentId, request: {} });
  return { ...doc, status, created_at: at, updated_at: at, completed_at: status === 'running' ? null : at, retention_day: retentionDay(at) } as typeof doc;
}

describe('retention', () => {
  it('removes exactly what expired — in batches, by day — and never what clients still need', async () => {
    const m = core.models;
    // Written oldest first, as a real deployment writes them.
    let seq = 0;
    const oldEvents = Array.from({ length: 1200 }, (_, i) => ({ ...event(40, i), seq: ++seq }));
    const recentEvents = Array.from({ length: 30 }, (_, i) => ({ ...event(10, i), seq: ++seq }));
    await m.events.insertMany(oldEvents);
    await m.events.insertMany(recentEvents);
    await m.eventClaims.insertMany([...oldEvents, ...recentEvents].map((e) => ({ _id: `${ACCOUNT}:${e.dedupe_key}`, event_id: e._id, retention_day: e.retention_day })));

    const agentId = newId('agent');
    const finishedOld = operation(100, 'active', agentId);
    const runningOld = operation(100, 'running', agentId);
    const finishedRecent = operation(10, 'failed', agentId);
    await m.operations.insertMany([finishedOld, runningOld, finishedRecent]);
    await m.batches.insertMany([
      { _id: newId('batch'), account_id: ACCOUNT, operation_ids: [finishedOld._id], rejected: [], item_count: 1, created_at: ago(100), retention_day: retentionDay(ago(100)) },
      { _id: newId('batch'), account_id: ACCOUNT, operation_ids: [finishedRecent._id], rejected: [], item_count: 1, created_at: ago(10), retention_day: retentionDay(ago(10)) },
    ]);

    const report = (id: string, days: number) => ({ _id: id, account_id: ACCOUNT, operation_id: id, business_url: 'https://example.com/', report: {}, created_at: ago(days), retention_day: retentionDay(ago(days)) });
    const usedReport = newId('operation');
    const unusedReport = newId('operation');
    await m.researchReports.insertMany([report(unusedReport, 40), report(usedReport, 40)]);
    // An agent from long ago, still using its research report: neither may go.
    await m.agents.collection.insertOne({ _id: agentId, account_id: ACCOUNT, status: 'active', research_report_id: usedReport, created_at: ago(200), updated_at: ago(200) } as never);

    const delivery = (status: string, days: number) => ({ _id: newId('event'), account_id: ACCOUNT, subscription_id: 'wh_x', event_id: 'evt_x', event_type: 'kb.synced', body: '{}', status, attempt_count: 1, created_at: ago(days), updated_at: ago(days), retention_day: retentionDay(ago(days)) });
    const settled = delivery('succeeded', 40);
    const stillRetrying = delivery('retrying', 40);
    const recentDelivery = delivery('failed', 5);
    await m.webhookDeliveries.insertMany([settled, stillRetrying, recentDelivery]);
    await m.deliveryAttempts.insertMany([
      { _id: `${settled._id}:1`, delivery_id: settled._id, account_id: ACCOUNT, number: 1, trigger: 'scheduled', attempted_at: ago(40), http_status: 200, latency_ms: 5, error: null, response_body: null, response_truncated: false, retention_day: retentionDay(ago(40)) },
      { _id: `${recentDelivery._id}:1`, delivery_id: recentDelivery._id, account_id: ACCOUNT, number: 1, trigger: 'scheduled', attempted_at: ago(5), http_status: 500, latency_ms: 5, error: null, response_body: null, response_truncated: false, retention_day: retentionDay(ago(5)) },
    ]);

    const removed = await sweepUntilCaughtUp();
    expect(removed).toMatchObject({
      'retention:events': 1200,
      'retention:event_claims': 1200,
      'retention:operations': 1,
      'retention:batches': 1,
      'retention:research_reports': 1,
      'retention:webhook_deliveries': 1,
      'retention:webhook_delivery_attempts': 1,
    });

    expect((await m.events.find({}).lean()).map((e) => e._id).sort()).toEqual(recentEvents.map((e) => e._id).sort());
    expect(await m.eventClaims.countDocuments({})).toBe(30);
    expect((await m.operations.find({}).lean()).map((o) => o._id).sort()).toEqual([runningOld._id, finishedRecent._id].sort());
    expect(await m.batches.countDocuments({})).toBe(1);
    expect((await m.researchReports.find({}).lean()).map((r) => r._id)).toEqual([usedReport]);
    expect((await m.webhookDeliveries.find({}).lean()).map((d) => d._id).sort()).toEqual([stillRetrying._id, recentDelivery._id].sort());
    expect((await m.deliveryAttempts.find({}).lean()).map((a) => a._id)).toEqual([`${recentDelivery._id}:1`]);
    expect(await m.agents.countDocuments({ _id: agentId })).toBe(1);

    // Each rule remembers where it stopped: a further pass finds nothing new to do.
    expect(Object.values(await sweepOnce()).every((n) => n === 0)).toBe(true);
  }, 120_000);
});
