import { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client } from '../support/http-client';
import { ChildProcesses, exited, freePort } from '../support/processes';
import { startStack, Stack } from '../support/temporal-harness';
import { until } from '../support/webhook-receiver';

/**
 * The store goes away mid-batch: this test runs a FerretDB of its own (the launcher npm test
 * uses, on the same default backend), kills it while provisionings are in flight, keeps it down
 * for 10 s and starts it again on the same data. Nothing may fail because of that.
 */
const OUTAGE_MS = 10_000;

let stack: Stack;
let site: BusinessSite;
let store: ChildProcess | undefined;
let port: number;
const processes = new ChildProcesses();
const sqliteDir = mkdtempSync(path.join(os.tmpdir(), 'wfw-outage-'));

async function startStore(): Promise<void> {
  const handler = process.env.WFW_TEST_STORE === 'sqlite' ? 'sqlite' : 'auto';
  ({ child: store } = await processes.startFerretDB(port, ['--handler', handler, '--sqlite-dir', sqliteDir, '--postgresql-url', process.env.FERRETDB_POSTGRESQL_URL ?? 'postgres://postgres@127.0.0.1:5432/ferretdb']));
}

beforeAll(async () => {
  port = await freePort();
  await startStore();
  site = await serveBusinessSite();
  const previous = process.env.WFW_TEST_MONGODB_BASE;
  process.env.WFW_TEST_MONGODB_BASE = `mongodb://127.0.0.1:${port}`;
  try {
    // Each platform call takes 1 s, so the outage lands inside the steps.
    stack = await startStack({ label: 'outage', config: { localPlatformLatencyMs: 1000 } });
  } finally {
    if (previous === undefined) delete process.env.WFW_TEST_MONGODB_BASE;
    else process.env.WFW_TEST_MONGODB_BASE = previous;
  }
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await site?.close();
  processes.killAll();
});

describe('a database outage mid-batch', () => {
  it('waits it out: every provisioning completes once the store is back, with one agent, one number and one agent.activated each', async () => {
    const acct = await stack.createAccount();
    const api = client(stack.baseUrl, acct.token);
    const N = 5;
    const accepted = await api.post('/v2/agents/batch', { items: Array.from({ length: N }, (_, i) => ({ payload: { name: `Outage ${i}`, platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } })) });
    expect(accepted.status).toBe(202);
    const opIds: string[] = accepted.body.operation_ids;
    expect(opIds).toHaveLength(N);

    // Down while the batch is mid-flight: some operation past research, none finished.
    await until('the batch to be under way', async () => {
      const ops = await stack.core.models.operations.find({ batch_id: accepted.body.batch_id }).lean();
      return ops.some((o) => o.step === 'deploy' || o.step === 'number');
    }, 60_000);
    store!.kill('SIGKILL');
    await exited(store!);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await startStore();

    const ops = await until('every operation to settle', async () => {
      try {
        const docs = await stack.core.models.operations.find({ batch_id: accepted.body.batch_id }).lean();
        return docs.length === N && docs.every((o) => ['active', 'failed', 'canceled'].includes(o.status)) ? docs : undefined;
      } catch {
        return undefined;
      }
    }, 180_000);
    expect(ops.map((o) => [o.status, o.error])).toEqual(Array.from({ length: N }, () => ['active', null]));

    const agents = await stack.core.models.agents.find({ account_id: acct.accountId }).lean();
    expect(agents).toHaveLength(N);
    expect(agents.every((a) => a.status === 'active' && a.phone_number && a.platform_agent_id)).toBe(true);
    expect(new Set(agents.map((a) => a.phone_number)).size).toBe(N);
    expect(await stack.core.models.localPhoneNumbers.countDocuments({})).toBe(N);
    expect(await stack.core.models.localPlatformAgents.countDocuments({})).toBe(N);
    const activated = await stack.core.models.events.find({ account_id: acct.accountId, type: 'agent.activated' }).lean();
    expect(activated.map((e) => e.data.operation_id).sort()).toEqual([...opIds].sort());
  }, 300_000);
});
