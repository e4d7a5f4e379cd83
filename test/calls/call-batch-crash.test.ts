import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { client } from '../support/http-client';
import { ChildProcesses, exited } from '../support/processes';
import { startStack, Stack } from '../support/temporal-harness';
import { loadConfig } from '../../core/config/config';
import { createLocalAgentRow } from './local-call-notifications';
import { batchEnded, maxOverlap, numbers, until } from './call-batch-support';

/**
 * A real worker process (dist/worker/worker.js) SIGKILLed while a batch has calls in flight and
 * more queued; a second worker picks the batch up. Nobody is dialled twice: each recipient has
 * exactly one call, each call one completion, and the concurrency limit held across the crash.
 * Four recipients per run, so the batch also continues as new (twice) on the way.
 */
let stack: Stack;
const processes = new ChildProcesses();
let children: ChildProcess[] = [];

beforeAll(async () => {
  stack = await startStack({ label: 'batchcrash', worker: false, config: { calls: { ...loadConfig({}).calls, batchRecipientsPerRun: 4 } } });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map(exited));
  processes.killAll();
  await stack?.close();
});

function spawnWorker(): ChildProcess {
  // The local platform posts each call's end-of-call notification to this stack's API.
  const worker = processes.spawnWorker(stack, { WFW_API_INTERNAL_URL: stack.baseUrl });
  children.push(worker);
  return worker;
}

describe('a worker killed mid-batch', () => {
  it('resumes on another worker without re-dialling anyone', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const agentId = await createLocalAgentRow(stack.core, acct.accountId, `lpa_${randomBytes(6).toString('hex')}`, 'dental_receptionist');
    const to = numbers(10, 5550800);
    let worker = spawnWorker();
    const created = await c.post('/v2/call-batches', { agent_id: agentId, max_concurrency: 3, recipients: to.map((n) => ({ to_number: n, simulation: { outcome: 'answered', duration_seconds: 200 } })) });
    expect(created.status).toBe(202);

    // Some calls done, some live, the rest queued: then the worker dies without warning.
    await until(
      'calls in flight with more to come',
      async () => {
        const b = (await c.get(`/v2/call-batches/${created.body.id}`)).body;
        return b.counts.completed >= 2 && b.counts.in_progress >= 1 && b.counts.queued >= 3 ? b : undefined;
      },
      60_000,
    );
    worker.kill('SIGKILL');
    await exited(worker);
    const atKill = (await c.get(`/v2/call-batches/${created.body.id}`)).body;
    worker = spawnWorker();

    const batch = await batchEnded(c, created.body.id, 180_000);
    expect(batch).toMatchObject({ status: 'completed', counts: { completed: 10, queued: 0, in_progress: 0, failed: 0 } });
    expect(atKill.counts.completed).toBeLessThan(10);
    // Exactly one call per recipient, one record per call, one completion per call.
    expect(batch.recipients.map((r: { call_ids: string[]; attempts: number }) => [r.call_ids.length, r.attempts])).toEqual(new Array(10).fill([1, 1]));
    const listed = (await c.get('/v2/calls?limit=100')).body.data;
    expect(listed).toHaveLength(10);
    expect(new Set(listed.map((x: { to_number: string }) => x.to_number))).toEqual(new Set(to));
    const completions = await stack.core.events.list(acct.accountId, { types: ['call.completed'], limit: 100 });
    expect(completions.map((e) => e.data.call_id as string).sort()).toEqual([...batch.call_ids].sort());
    expect(maxOverlap(listed)).toBeLessThanOrEqual(3);
    // It continued as new on the way (4 recipients per run).
    const state = await stack.client.workflow.getHandle(created.body.id).query<{ runs: number }>('callBatchState');
    expect(state.runs).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
