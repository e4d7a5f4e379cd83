import { z } from 'zod';
import { OPERATION_SETTLED } from '../constants';
import { defineTool, Extra, seg, ToolDefinition } from '../tool-kit';
import { operationShape } from './shapes';

export const MAX_WAIT_SECONDS = 30;
const POLL_MS = 500;

const settled = (status: string) => (OPERATION_SETTLED as readonly string[]).includes(status);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function progress(extra: Extra, op: { steps?: { status: string }[]; step?: string | null; status: string }, last: { value: number }): Promise<void> {
  const token = extra._meta?.progressToken;
  if (token === undefined) return;
  const steps = op.steps ?? [];
  const done = steps.filter((s) => ['completed', 'skipped', 'failed', 'compensated'].includes(s.status)).length;
  // Progress must increase with each notification: send only when a step finished (and once at the start).
  if (done <= last.value && last.value >= 0) return;
  last.value = done;
  await extra
    .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, total: Math.max(steps.length, done), message: `${op.status}${op.step ? `: ${op.step}` : ''}` } })
    .catch(() => undefined);
}

const operationOutput = { ...operationShape, waited_seconds: z.number().describe('How long this call waited.'), settled: z.boolean().describe('True once the operation reached active, succeeded, failed or canceled.') };

const summarize = (op: any) => `Operation ${op.id} (${op.type}) is ${op.status}${op.step ? ` at ${op.step}` : ''}${op.phone_number ? `; phone ${op.phone_number}` : ''}${op.error ? `; error ${op.error.code}: ${op.error.message}` : ''}.`;

export const operationTools: ToolDefinition[] = [
  defineTool({
    name: 'get_operation',
    title: 'Get (and optionally wait for) an operation',
    description: `Reads a provisioning / update / delete operation: status (pending, running, active, succeeded, failed, canceled), the step running, every step's status, the phone number once assigned, and the error when it failed. With wait_seconds (≤ ${MAX_WAIT_SECONDS}) it returns as soon as the operation settles or the wait ends, so do not poll in a tight loop: call again with wait_seconds while settled is false. Sends progress notifications while waiting if the request carries a progress token. Free, read-only. Scope agents:read.`,
    input: {
      operation_id: z.string().describe('op_… ID from provision_agent, update_agent or provision_agents.'),
      wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS).optional().describe(`Wait up to this many seconds (0 to ${MAX_WAIT_SECONDS}, default 0) for the operation to settle.`),
    },
    output: operationOutput,
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ operation_id, wait_seconds = 0 }, { api, extra }) {
      const started = Date.now();
      const deadline = started + wait_seconds * 1000;
      const last = { value: -1 };
      let op = await api.get(`/v2/operations/${seg(operation_id)}`, { signal: extra.signal });
      while (!settled(op.status) && Date.now() < deadline && !extra.signal.aborted) {
        await progress(extra, op, last);
        await sleep(Math.min(POLL_MS, deadline - Date.now()), extra.signal);
        if (extra.signal.aborted) break;
        op = await api.get(`/v2/operations/${seg(operation_id)}`, { signal: extra.signal });
      }
      const structured = { ...op, waited_seconds: Math.round((Date.now() - started) / 100) / 10, settled: settled(op.status) };
      return { structured, summary: summarize(op) + (structured.settled ? '' : ' Not settled yet: call get_operation again with wait_seconds.') };
    },
  }),
  defineTool({
    name: 'cancel_operation',
    title: 'Cancel an operation',
    description:
      'Cancels a pending or running operation; whatever it had set up (platform agent, phone number) is undone and the operation ends canceled (poll get_operation). An operation that already finished answers OPERATION_NOT_CANCELABLE. Scope agents:write.',
    input: { operation_id: z.string().describe('op_… ID.') },
    output: operationShape,
    hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    mutating: true,
    async run({ operation_id }, { api, idempotencyKey }) {
      const op = await api.post(`/v2/operations/${seg(operation_id)}/cancel`, { idempotencyKey });
      return { structured: op, summary: `Cancellation requested. ${summarize(op)}` };
    },
  }),
  defineTool({
    name: 'get_batch',
    title: 'Get a provisioning batch',
    description:
      'Reads a batch from provision_agents: counts by status, rejected items, and each operation in brief (id, status, step, agent_id, phone_number, error; at most 100). Use get_operation for one operation’s steps. Free, read-only. Scope agents:read.',
    input: { batch_id: z.string().describe('batch_… ID from provision_agents.') },
    output: {
      batch_id: z.string(),
      item_count: z.number(),
      counts: z.record(z.string(), z.number()),
      rejected: z.array(z.looseObject({ index: z.number() })),
      operations: z.array(z.looseObject({ id: z.string(), status: z.string(), step: z.string().nullable(), agent_id: z.string(), phone_number: z.string().nullable(), error: z.unknown() })),
      settled: z.boolean().describe('Every operation has settled.'),
    },
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ batch_id }, { api }) {
      const batch = await api.get(`/v2/batches/${seg(batch_id)}`);
      const operations = (batch.operations as any[]).map((o) => ({ id: o.id, status: o.status, step: o.step, agent_id: o.agent_id, phone_number: o.phone_number, error: o.error }));
      const structured = { batch_id: batch.id, item_count: batch.item_count, counts: batch.counts, rejected: batch.rejected, operations, settled: operations.every((o) => settled(o.status)) };
      const counts = Object.entries(batch.counts as Record<string, number>).map(([k, v]) => `${k} ${v}`).join(', ');
      return { structured, summary: `Batch ${batch.id}: ${counts}.` };
    },
  }),
];
