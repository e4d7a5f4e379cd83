import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../core/config/config';
import { client } from '../support/http-client';
import { startStack, Stack, TEMPORAL_ADDRESS } from '../support/temporal-harness';
import { until } from '../support/webhook-receiver';
import { createLocalAgentRow, hvacTurns, localHeaders, localNotificationBody, postLocal } from '../calls/local-call-notifications';

/**
 * Not a check but a recorder, beside record-histories.test.ts (whose fixtures it leaves alone):
 * `WFW_RECORD_HISTORIES=1 npx jest test/workflows/record-call-histories` runs each call workflow
 * outcome for real and writes its history under test/fixtures/histories, which replay.test.ts
 * replays. WFW_RECORD_HISTORIES_SUFFIX names a later recording beside the older ones.
 */
const record = process.env.WFW_RECORD_HISTORIES === '1' ? it : it.skip;
const OUT = path.join(__dirname, '../fixtures/histories');

function save(name: string, workflowId: string): void {
  // The Temporal CLI writes the same proto-JSON the Web UI's "download history" does.
  const json = execFileSync(path.join(__dirname, '../../.tools/bin/temporal'), ['workflow', 'show', '--address', TEMPORAL_ADDRESS, '-w', workflowId, '-o', 'json'], { encoding: 'utf8' });
  writeFileSync(path.join(OUT, `${name}${process.env.WFW_RECORD_HISTORIES_SUFFIX ?? ''}.json`), json);
}

async function post(stack: Stack, accountId: string, body: string): Promise<string> {
  const res = await postLocal(stack.baseUrl, accountId, body, await localHeaders(stack.core, accountId, body));
  const receipt = (await res.json()) as { call_id: string; status: string };
  if (res.status !== 200 || receipt.status !== 'accepted') throw new Error(`notification not accepted: ${res.status} ${JSON.stringify(receipt)}`);
  return receipt.call_id;
}

describe('call history recorder', () => {
  record('records one history per call workflow outcome', async () => {
    mkdirSync(OUT, { recursive: true });
    const defaults = loadConfig({ WFW_ALLOW_PRIVATE_NETWORKS: '1' }).calls;
    const stack = await startStack({ label: 'record-calls' });
    // Short timings, so a call whose end never comes polls (the local platform answers nothing) and is abandoned.
    const impatient = await startStack({ label: 'record-calls-abandon', config: { calls: { ...defaults, endWaitSeconds: 1, pollIntervalSeconds: 1, maxPolls: 2 } } });
    try {
      const acct = await stack.createAccount();
      const agentId = await createLocalAgentRow(stack.core, acct.accountId, 'lagt_recorder');

      // A test call: the workflow places it through the local simulator, whose signed end-of-call notification comes back through the route.
      const testCall = await client(stack.baseUrl, acct.token).post(`/v2/agents/${agentId}/test-calls`, { turns: hvacTurns(1, 12).map(({ role, text }) => ({ role, text })), caller_number: '+13125550100' });
      if (testCall.status !== 202) throw new Error(`test call: ${testCall.status} ${testCall.text}`);
      await stack.client.workflow.getHandle(testCall.body.id).result();
      save('call-test-call', testCall.body.id);

      // An inbound call the platform reports started, then ended: two signals into one workflow.
      const spec = { platformCallId: 'lsim_recorder_inbound', platformAgentId: 'lagt_recorder', turns: hvacTurns(2, 16) };
      const callId = await post(stack, acct.accountId, localNotificationBody('call.started', spec));
      await until('the call started', async () => ((await stack.core.events.list(acct.accountId, { types: ['call.started'], limit: 10 })).some((e) => (e.data as { call_id: string }).call_id === callId) ? true : undefined), 30_000);
      if ((await post(stack, acct.accountId, localNotificationBody('call.ended', spec))) !== callId) throw new Error('the end landed on another call');
      await stack.client.workflow.getHandle(callId).result();
      save('call-started-then-ended', callId);

      // An inbound call that starts and is never reported ended: it waits, polls twice for nothing, and is abandoned.
      const lost = await impatient.createAccount();
      await createLocalAgentRow(impatient.core, lost.accountId, 'lagt_recorder_lost');
      const lostId = await post(impatient, lost.accountId, localNotificationBody('call.started', { platformCallId: 'lsim_recorder_lost', platformAgentId: 'lagt_recorder_lost' }));
      const result = await impatient.client.workflow.getHandle(lostId).result();
      if (result.status !== 'failed') throw new Error(`abandoned call ended ${JSON.stringify(result)}`);
      save('call-abandoned', lostId);
    } finally {
      await impatient.close();
      await stack.close();
    }
  }, 180_000);
});
