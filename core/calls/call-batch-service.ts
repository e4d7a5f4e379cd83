import type { Model } from 'mongoose';
import type { AgentService } from '../agents/agent-service';
import { insertOnce } from '../db/database';
import { ApiError, NotFoundError } from '../errors/errors';
import { derivedPrefixedId, isId, newId } from '../ids/ids';
import type { CallWindow } from '../../workflows/call-window';
import type { CallBatchInput, PreparedBatchCall } from '../../workflows/call-batch-workflow-types';
import type { OutboundSimulation } from '../../workflows/call-workflow-types';
import type { CallTimings } from './call-ingestion-service';
import type { CallService } from './call-service';
import type { OutboundCallRequest, OutboundCredit } from './outbound-call-service';
import { withTimes } from './test-call-service';
import { CallBatchDoc, CallBatchRecipientDoc, CallBatchStatus, recipientId, RecipientStatus, RECIPIENT_STATUSES, SkipReason } from './call-batch-model';

export interface CallBatchRequest {
  agent_id: string;
  recipients: { to_number: string; variables?: Record<string, string>; simulation?: OutboundCallRequest['simulation']; timezone?: string }[];
  window?: CallWindow;
  max_concurrency?: number;
  retry?: { no_answer_attempts: number; backoff_minutes: number };
  scheduled_at?: Date;
}

export interface CallBatchWorkflowStarter {
  startBatch(input: CallBatchInput): Promise<void>;
  cancelBatch(batchId: string): Promise<void>;
}

export interface CallBatchView {
  object: 'call_batch';
  id: string;
  agent_id: string;
  status: CallBatchStatus;
  total: number;
  max_concurrency: number;
  window: CallWindow | null;
  retry: { no_answer_attempts: number; backoff_minutes: number };
  scheduled_at: string | null;
  counts: Record<RecipientStatus, number>;
  call_ids: string[];
  recipients: { index: number; to_number: string; status: RecipientStatus; attempts: number; call_ids: string[]; skip_reason: SkipReason | null }[];
  skipped: { to_number: string; reason: SkipReason }[];
  max_in_flight: number;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export const MAX_BATCH_RECIPIENTS = 1000;

/**
 * Batches of outbound calls (POST /v2/call-batches). The API writes the batch and its recipients
 * and starts the batch's workflow; after that only the workflow's activities (below) write them,
 * one recipient at a time, so no document has two writers.
 */
export class CallBatchService {
  constructor(
    private readonly models: { batches: Model<CallBatchDoc>; recipients: Model<CallBatchRecipientDoc> },
    private readonly agents: AgentService,
    private readonly calls: CallService,
    private readonly credit: OutboundCredit,
    private readonly doNotCall: { isListed(accountId: string, number: string): Promise<boolean> },
    private readonly workflows: CallBatchWorkflowStarter,
    private readonly timings: CallTimings,
    private readonly recipientsPerRun = 200,
  ) {}

  async create(accountId: string, request: CallBatchRequest, seed?: { key: string; claimedAt: Date }): Promise<CallBatchView> {
    const agent = await this.agents.find(accountId, request.agent_id);
    if (agent.status !== 'active' || !agent.phone_number) {
      throw new ApiError('CONFLICT', 'Only an active agent with a phone number places calls.', { details: [{ field: 'agent_id', issue: 'agent_not_live', message: `the agent is ${agent.status}` }] });
    }
    if (agent.platform !== 'local') {
      const simulated = request.recipients.flatMap((r, i) => (r.simulation ? [i] : []));
      if (simulated.length) {
        throw new ApiError('VALIDATION_ERROR', 'simulation is for agents on the local platform only.', {
          details: simulated.slice(0, 20).map((i) => ({ field: `recipients.${i}.simulation`, issue: 'not_local', message: `the agent is on ${agent.platform}, which places real calls` })),
        });
      }
    }
    const now = seed?.claimedAt ?? new Date();
    // Under an Idempotency-Key the same batch ID, so a re-run after a crash lands on the same batch.
    const batchId = seed ? derivedPrefixedId('callBatch', seed.claimedAt.getTime(), accountId, seed.key, 'call-batch') : newId('callBatch');
    const recipients: CallBatchRecipientDoc[] = request.recipients.map((r, index) => ({
      _id: recipientId(batchId, index),
      batch_id: batchId,
      account_id: accountId,
      index,
      to_number: r.to_number,
      timezone: r.timezone ?? null,
      variables: r.variables ?? {},
      simulation: simulationOf(r.simulation),
      status: 'queued',
      skip_reason: null,
      attempts: 0,
      call_ids: [],
      updated_at: now,
    }));
    try {
      await this.models.recipients.collection.insertMany(recipients as never[], { ordered: false });
    } catch (err) {
      // A keyed retry: the recipients a first attempt wrote are kept as they are.
      if (!isDuplicateOnly(err)) throw err;
    }
    const retry = request.retry ?? { no_answer_attempts: 0, backoff_minutes: 0 };
    const batch = await insertOnce(this.models.batches, {
      _id: batchId,
      account_id: accountId,
      agent_id: agent._id,
      status: 'queued',
      total: recipients.length,
      max_concurrency: request.max_concurrency ?? 10,
      window: request.window ?? null,
      retry,
      scheduled_at: request.scheduled_at ?? null,
      max_in_flight: 0,
      created_at: now,
      updated_at: now,
      ended_at: null,
    });
    await this.workflows.startBatch({
      batchId,
      accountId,
      agentId: agent._id,
      createdAtMs: new Date(batch.created_at).getTime(),
      total: batch.total,
      maxConcurrency: batch.max_concurrency,
      window: batch.window ?? null,
      retry: { noAnswerAttempts: batch.retry.no_answer_attempts, backoffMs: Math.round(batch.retry.backoff_minutes * 60_000) },
      scheduledAt: batch.scheduled_at ? new Date(batch.scheduled_at).toISOString() : null,
      timings: this.timings,
      recipientsPerRun: this.recipientsPerRun,
    });
    return this.get(accountId, batchId);
  }

  async get(accountId: string, batchId: string): Promise<CallBatchView> {
    const batch = await this.find(accountId, batchId);
    // Bounded: a batch has at most 1,000 recipients, read by the (batch_id, index) index.
    const recipients = await this.models.recipients.find({ batch_id: batchId }).sort({ index: 1 }).limit(MAX_BATCH_RECIPIENTS).lean<CallBatchRecipientDoc[]>();
    return view(batch, recipients);
  }

  /** Queued recipients never start; calls in flight finish. The batch ends `canceled`. */
  async cancel(accountId: string, batchId: string): Promise<CallBatchView> {
    const batch = await this.find(accountId, batchId);
    if (batch.status !== 'queued' && batch.status !== 'running') {
      throw new ApiError('CONFLICT', 'Only a queued or running batch can be canceled.', { details: [{ field: 'id', issue: 'not_cancelable', message: `the batch is ${batch.status}` }] });
    }
    await this.workflows.cancelBatch(batchId);
    return this.get(accountId, batchId);
  }

  private async find(accountId: string, batchId: string): Promise<CallBatchDoc> {
    if (!isId('callBatch', batchId)) throw new NotFoundError('call_batch', batchId);
    const batch = await this.models.batches.findOne({ _id: batchId, account_id: accountId }).lean<CallBatchDoc>();
    if (!batch) throw new NotFoundError('call_batch', batchId);
    return batch;
  }

  // ---- The batch workflow's activities: each idempotent per batch, recipient and attempt. ----

  async markRunning(batchId: string): Promise<void> {
    await this.models.batches.updateOne({ _id: batchId, status: 'queued' }, { $set: { status: 'running', updated_at: new Date() } });
  }

  /** Recipients `from`..`from+limit-1`: the index and zone only (the workflow carries nothing else). */
  async recipientPage(batchId: string, from: number, limit: number): Promise<{ index: number; timezone: string | null }[]> {
    const docs = await this.models.recipients.find({ batch_id: batchId, index: { $gte: from, $lt: from + limit } }, { index: 1, timezone: 1 }).sort({ index: 1 }).lean<CallBatchRecipientDoc[]>();
    return docs.map((d) => ({ index: d.index, timezone: d.timezone ?? null }));
  }

  /**
   * One attempt at one recipient: skipped if the number is on the do-not-call list or the credit
   * hold is refused; otherwise the hold and the call record are written under an ID derived from
   * batch, recipient and attempt, so a rerun finds them instead of making a second call.
   */
  async prepareCall(input: { batchId: string; accountId: string; agentId: string; index: number; attempt: number; createdAtMs: number }): Promise<PreparedBatchCall> {
    const rid = recipientId(input.batchId, input.index);
    const r = await this.models.recipients.findById(rid).lean<CallBatchRecipientDoc>();
    if (!r) throw new Error(`recipient ${rid} does not exist`);
    const callId = derivedPrefixedId('call', input.createdAtMs, input.batchId, String(input.index), String(input.attempt));
    const plan = { toNumber: r.to_number, variables: r.variables ?? {}, scheduledAt: null, simulation: r.simulation ?? null };
    if (!(await this.calls.find(callId))) {
      if (await this.doNotCall.isListed(input.accountId, r.to_number)) return this.skip(r, 'do_not_call');
      try {
        await this.credit.holdForCall(input.accountId, callId, input.agentId);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'INSUFFICIENT_CREDIT') return this.skip(r, 'insufficient_credit');
        throw err;
      }
      const agent = await this.agents.find(input.accountId, input.agentId, { includeDeleted: true });
      await this.calls.createPending({ callId, accountId: input.accountId, agentId: input.agentId, platform: agent.platform, platformCallId: null, direction: 'outbound', test: false, fromNumber: agent.phone_number ?? null, toNumber: r.to_number });
    }
    const callIds = r.call_ids.includes(callId) ? r.call_ids : [...r.call_ids, callId];
    await this.models.recipients.updateOne({ _id: rid }, { $set: { status: 'in_progress', attempts: Math.max(r.attempts, input.attempt), call_ids: callIds, updated_at: new Date() } });
    return { kind: 'call', callId, plan };
  }

  private async skip(r: CallBatchRecipientDoc, reason: SkipReason): Promise<PreparedBatchCall> {
    await this.models.recipients.updateOne({ _id: r._id }, { $set: { status: 'skipped', skip_reason: reason, updated_at: new Date() } });
    return { kind: 'skipped', reason };
  }

  /** An attempt's call has ended: its status is the recipient's, or the recipient is queued again for a retry. */
  async recordOutcome(input: { batchId: string; index: number; callId: string; status: string; retrying: boolean }): Promise<void> {
    const status: RecipientStatus = input.retrying ? 'queued' : (RECIPIENT_STATUSES as readonly string[]).includes(input.status) ? (input.status as RecipientStatus) : 'failed';
    await this.models.recipients.updateOne({ _id: recipientId(input.batchId, input.index) }, { $set: { status, updated_at: new Date() } });
  }

  async finish(input: { batchId: string; status: 'completed' | 'canceled'; maxInFlight: number }): Promise<void> {
    if (input.status === 'canceled') {
      await this.models.recipients.updateMany({ batch_id: input.batchId, status: 'queued' }, { $set: { status: 'canceled', updated_at: new Date() } });
    }
    const now = new Date();
    await this.models.batches.updateOne({ _id: input.batchId }, { $set: { status: input.status, max_in_flight: input.maxInFlight, ended_at: now, updated_at: now } });
  }
}

function simulationOf(s: OutboundCallRequest['simulation']): OutboundSimulation | null {
  if (!s) return null;
  return { outcome: s.outcome, ...(s.duration_seconds !== undefined ? { duration_seconds: s.duration_seconds } : {}), ...(s.turns ? { turns: withTimes(s.turns) } : {}) };
}

function isDuplicateOnly(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[] | { code?: number } };
  if (e?.writeErrors) {
    const list = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    return list.length > 0 && list.every((w) => w.code === 11000 || (w as { err?: { code?: number } }).err?.code === 11000);
  }
  return e?.code === 11000;
}

function view(b: CallBatchDoc, recipients: CallBatchRecipientDoc[]): CallBatchView {
  const counts = Object.fromEntries(RECIPIENT_STATUSES.map((s) => [s, 0])) as Record<RecipientStatus, number>;
  for (const r of recipients) counts[r.status] += 1;
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  return {
    object: 'call_batch',
    id: b._id,
    agent_id: b.agent_id,
    status: b.status,
    total: b.total,
    max_concurrency: b.max_concurrency,
    window: b.window ?? null,
    retry: b.retry,
    scheduled_at: iso(b.scheduled_at),
    counts,
    call_ids: recipients.flatMap((r) => r.call_ids),
    recipients: recipients.map((r) => ({ index: r.index, to_number: r.to_number, status: r.status, attempts: r.attempts, call_ids: r.call_ids, skip_reason: r.skip_reason ?? null })),
    skipped: recipients.flatMap((r) => (r.status === 'skipped' && r.skip_reason ? [{ to_number: r.to_number, reason: r.skip_reason }] : [])),
    max_in_flight: b.max_in_flight ?? 0,
    created_at: new Date(b.created_at).toISOString(),
    updated_at: new Date(b.updated_at).toISOString(),
    ended_at: iso(b.ended_at),
  };
}
