import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalPlatformAdapter } from '../../core/platforms/local-platform-adapter';
import { localPlatformAgentModel } from '../../core/platforms/local-platform-agent-model';
import { AgentDeployment, PlatformCredentials, PlatformError } from '../../core/platforms/platform-adapter';
import { serveBusinessSite } from '../support/business-site';
import { client } from '../support/http-client';
import { startStack, TEMPORAL_ADDRESS, waitForOperation } from '../support/temporal-harness';
import { startReceiver } from '../support/webhook-receiver';

/**
 * Not a check but a recorder: `WFW_RECORD_HISTORIES=1 npx jest test/workflows/record-histories`
 * runs each workflow outcome for real and writes its history under test/fixtures/histories,
 * which replay.test.ts replays. Re-record only when a workflow change is meant to be breaking
 * (and then version the workflow instead, if any are still running in production).
 */
const record = process.env.WFW_RECORD_HISTORIES === '1' ? it : it.skip;

/** Attaching a number is refused; deploying an agent named "Fail Deploy" is refused too. */
class FailAttach extends LocalPlatformAdapter {
  override async createAgent(credentials: PlatformCredentials, deployment: AgentDeployment) {
    if (deployment.name === 'Fail Deploy') throw new PlatformError('local', 'invalid_request', 'voice not available', false, 422);
    return super.createAgent(credentials, deployment);
  }
  override async attachPhoneNumber(): Promise<void> {
    throw new PlatformError('local', 'invalid_request', 'number cannot be routed', false, 422);
  }
}

describe('history recorder', () => {
  record('records one history per workflow outcome', async () => {
    const out = path.join(__dirname, '../fixtures/histories');
    mkdirSync(out, { recursive: true });
    const site = await serveBusinessSite();
    const stack = await startStack({
      label: 'record',
      config: { localPlatformLatencyMs: 1500, webhooks: { retryScheduleMs: [100, 200, 300, 400], retryAfterCapMs: 1000, timeoutMs: 2000, disableAfterSeconds: 3600, secretGraceSeconds: 60 } },
    });
    const failing = await startStack({ label: 'record-fail', worker: false });
    await failing.startWorkerWith({ platforms: { local: new FailAttach(localPlatformAgentModel(failing.db.connection)) } });
    try {
      // The Temporal CLI writes the same proto-JSON the Web UI's "download history" does.
      const save = async (_s: typeof stack, name: string, workflowId: string) => {
        const json = execFileSync(path.join(__dirname, '../../.tools/bin/temporal'), ['workflow', 'show', '--address', TEMPORAL_ADDRESS, '-w', workflowId, '-o', 'json'], { encoding: 'utf8' });
        // A suffix records beside the older fixtures, which keep covering the paths old histories took.
        writeFileSync(path.join(out, `${name}${process.env.WFW_RECORD_HISTORIES_SUFFIX ?? ''}.json`), json);
      };
      const acct = await stack.createAccount();
      const c = client(stack.baseUrl, acct.token);
      const body = { payload: { name: 'Recorder', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } };

      const ok = await c.post('/v2/agents', body);
      const done = await waitForOperation(stack.baseUrl, acct.token, ok.body.operation_id, undefined, 60_000);
      await save(stack, 'provision-active', done.id);

      const upd = await c.patch(`/v2/agents/${done.agent_id}`, { name: 'Recorder 2' });
      await waitForOperation(stack.baseUrl, acct.token, upd.body.operation_id, undefined, 60_000);
      await save(stack, 'update-succeeded', upd.body.operation_id);

      const rb = await c.post(`/v2/agents/${done.agent_id}/prompt-versions/1/rollback`);
      await waitForOperation(stack.baseUrl, acct.token, rb.body.operation_id, undefined, 60_000);
      await save(stack, 'rollback-succeeded', rb.body.operation_id);

      const del = await c.delete(`/v2/agents/${done.agent_id}`);
      await waitForOperation(stack.baseUrl, acct.token, del.body.operation_id, undefined, 60_000);
      await save(stack, 'delete-succeeded', del.body.operation_id);

      const cancelMe = await c.post('/v2/agents', body);
      await waitForOperation(stack.baseUrl, acct.token, cancelMe.body.operation_id, ['running']);
      await new Promise((r) => setTimeout(r, 2500));
      await c.post(`/v2/operations/${cancelMe.body.operation_id}/cancel`);
      await waitForOperation(stack.baseUrl, acct.token, cancelMe.body.operation_id, ['canceled'], 60_000);
      await save(stack, 'provision-canceled', cancelMe.body.operation_id);

      // Webhook deliveries: success after two failures, failure after five attempts, a manual replay.
      let calls = 0;
      const flaky = await startReceiver(() => ({ status: calls++ < 2 ? 500 : 200 }));
      const dead = await startReceiver(() => ({ status: 500 }));
      try {
        const hooks = await stack.createAccount();
        const hc = client(stack.baseUrl, hooks.token);
        const flakyHook = (await hc.post('/v2/webhooks', { url: flaky.url })).body;
        const deadHook = (await hc.post('/v2/webhooks', { url: dead.url, event_types: ['credit.low'] })).body;
        await stack.core.events.append(hooks.accountId, 'kb.synced', { agent_id: 'agt_01m8h42tj30fjmzbwschxe2qyy', doc_id: 'kb_01m8h42tj30fjmzbwschxe2qyy', version: 1 }, { dedupeKey: 'rec-kb' });
        await stack.core.events.append(hooks.accountId, 'credit.low', { account_id: hooks.accountId, available_usd: 0.01, threshold_usd: 0.05, threshold_percent: 5 }, { dedupeKey: 'rec-credit' });
        const settled = async (hookId: string, status: string) => {
          for (;;) {
            const d = (await hc.get(`/v2/webhooks/${hookId}/deliveries`)).body.data.find((x: { status: string }) => x.status === status);
            if (d) return d;
            await new Promise((r) => setTimeout(r, 200));
          }
        };
        const ok = await settled(flakyHook.id, 'succeeded');
        await save(stack, 'webhook-delivered-after-retries', ok.id);
        const failed = await settled(deadHook.id, 'failed');
        await save(stack, 'webhook-failed', failed.id);
        await hc.post(`/v2/webhooks/${deadHook.id}/deliveries/${failed.id}/retry`);
        // The replay runs as its own workflow, named on the delivery; wait for it to finish.
        let replayId: string | null = null;
        for (;;) {
          const d = await stack.core.models.webhookDeliveries.findById(failed.id).lean();
          replayId = d?.replay_workflow_id ?? null;
          if (replayId) {
            const desc = await stack.client.workflow.getHandle(replayId).describe().catch(() => null);
            if (desc && desc.status.name !== 'RUNNING') break;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
        await save(stack, 'webhook-manual-replay', replayId);
      } finally {
        await flaky.close();
        await dead.close();
      }

      const facct = await failing.createAccount();
      const f = await client(failing.baseUrl, facct.token).post('/v2/agents', body);
      await waitForOperation(failing.baseUrl, facct.token, f.body.operation_id, ['failed'], 60_000);
      await save(failing, 'provision-failed-compensated', f.body.operation_id);
      // A deploy refused: only the platform agent's undo runs (no number can exist yet).
      const d = await client(failing.baseUrl, facct.token).post('/v2/agents', { ...body, payload: { ...body.payload, name: 'Fail Deploy' } });
      await waitForOperation(failing.baseUrl, facct.token, d.body.operation_id, ['failed'], 60_000);
      await save(failing, 'provision-failed-at-deploy', d.body.operation_id);
    } finally {
      await failing.close();
      await stack.close();
      await site.close();
    }
  }, 180_000);
});
