import { createHash } from 'node:crypto';
import { Model } from 'mongoose';
import { ApiError, NotFoundError } from '../errors/errors';
import { isId } from '../ids/ids';
import { Page, PageQuery, paginate } from '../pagination/pagination';
import { OperationDoc, OperationError, OperationStatsDoc, OperationStatus, OperationType, StepStatus, TERMINAL_STATUSES } from './operation-model';
import { findByIds, insertOnce } from '../db/database';
import { WriteCoalescer } from '../db/write-coalescer';
import { retentionDay } from '../maintenance/retention';
import { OPERATION_STEPS } from './operation-steps';

export interface OperationView {
  object: 'operation';
  id: string;
  operation_id: string;
  type: OperationType;
  status: OperationStatus;
  step: string | null;
  steps: { name: string; status: StepStatus; started_at: string | null; completed_at: string | null; attempts: number; detail: string | null }[];
  agent_id: string;
  batch_id: string | null;
  phone_number: string | null;
  provisioning_time_seconds: number | null;
  estimated_seconds: number | null;
  changed_fields: string[];
  error: OperationError | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** When nothing has finished yet, the product page's advertised average. */
const DEFAULT_ESTIMATE_SECONDS = 90;
const ESTIMATE_SAMPLES = 25;
const PROVISIONING_STATS_ID = 'agent.provision';

type StepMap = Record<string, { status: StepStatus; started_at: Date | null; completed_at: Date | null; attempts: number; detail: string | null }>;

/**
 * Operations are the client's window onto a workflow: the workflow's activities keep this
 * document current, and the API only reads it (scoped to the caller's account).
 */
export class OperationService {
  /** Activations finishing together write their samples in one update (one in flight at a time, the rest wait for the next). */
  private readonly samples = new WriteCoalescer<{ slot: number; seconds: number }, void>(async (statsId, samples) => {
    const fields: Record<string, number> = {};
    // In arrival order: a later sample for the same slot wins, as with one write each.
    for (const { slot, seconds } of samples) fields[`samples.${slot}`] = seconds;
    await this.stats.updateOne({ _id: statsId }, { $set: fields }, { upsert: true });
    return samples.map(() => undefined);
  });

  constructor(
    private readonly operations: Model<OperationDoc>,
    private readonly stats: Model<OperationStatsDoc>,
  ) {}

  newDoc(input: { id: string; accountId: string; type: OperationType; agentId: string; batchId?: string | null; request: Record<string, unknown>; estimatedSeconds?: number | null; changedFields?: string[] }): OperationDoc {
    const now = new Date();
    const steps: StepMap = {};
    for (const name of OPERATION_STEPS[input.type]) steps[name] = { status: 'pending', started_at: null, completed_at: null, attempts: 0, detail: null };
    return {
      _id: input.id,
      account_id: input.accountId,
      type: input.type,
      status: 'pending',
      step: null,
      steps: steps as unknown as OperationDoc['steps'],
      agent_id: input.agentId,
      batch_id: input.batchId ?? null,
      request: input.request,
      phone_number: null,
      provisioning_time_seconds: null,
      estimated_seconds: input.estimatedSeconds ?? null,
      error: null,
      changed_fields: input.changedFields ?? [],
      // A new agent's first prompt version is 1 (agentDocFor reserves it): provisioning writes it
      // without allocating a number. Other operations take theirs when they generate.
      prompt_version: input.type === 'agent.provision' ? 1 : null,
      created_at: now,
      retention_day: retentionDay(now),
      started_at: null,
      completed_at: null,
      updated_at: now,
    };
  }

  /** Inserts unless an operation with its ID exists; returns whichever is stored (one write when it is new). */
  async insertOnce(doc: OperationDoc): Promise<OperationDoc> {
    return insertOnce(this.operations, doc);
  }

  async insert(doc: OperationDoc): Promise<void> {
    await this.operations.collection.insertOne(doc as never);
  }

  async get(accountId: string, id: string): Promise<OperationView> {
    return toView(await this.find(accountId, id));
  }

  async find(accountId: string, id: string): Promise<OperationDoc> {
    if (!isId('operation', id)) throw new ApiError('INVALID_ID', `${id} is not an operation ID.`, { details: [{ field: 'id', issue: 'invalid_id', message: 'expected op_…' }] });
    const doc = await this.operations.findOne({ _id: id, account_id: accountId }).lean<OperationDoc>();
    if (!doc) throw new NotFoundError('operation', id);
    return doc;
  }

  /** True when this call set it (no earlier attempt had). */
  async setPromptVersion(id: string, version: number): Promise<boolean> {
    return (await this.operations.updateOne({ _id: id, prompt_version: null }, { $set: { prompt_version: version } })).modifiedCount === 1;
  }

  async findById(id: string): Promise<OperationDoc | null> {
    return this.operations.findById(id).lean<OperationDoc>();
  }

  list(accountId: string, filter: { status?: OperationStatus; type?: OperationType; batch_id?: string; agent_id?: string }, page: PageQuery): Promise<Page<OperationView>> {
    const query: Record<string, unknown> = { account_id: accountId };
    if (filter.status) query.status = filter.status;
    if (filter.type) query.type = filter.type;
    if (filter.batch_id) query.batch_id = filter.batch_id;
    if (filter.agent_id) query.agent_id = filter.agent_id;
    return paginate(this.operations, 'operations', query, page, toView);
  }

  findDocsByIds(ids: string[]): Promise<OperationDoc[]> {
    return findByIds(this.operations, ids);
  }

  /** Undoes an operation that never took effect (its agent could not be claimed) and whose ID nobody was given. */
  async discard(id: string): Promise<void> {
    await this.operations.deleteOne({ _id: id, status: 'pending' });
  }

  async listByIds(accountId: string, ids: string[]): Promise<OperationView[]> {
    return (await findByIds(this.operations, ids, { account_id: accountId })).map(toView);
  }

  /**
   * Median of recent real provisioning durations, so a bot can schedule its first poll sensibly
   * (a batch asks once). One primary-key read of one small document (below): the cost of asking
   * never grows with the operations stored.
   */
  async estimateProvisioningSeconds(): Promise<number> {
    const stats = await this.stats.findById(PROVISIONING_STATS_ID).lean<OperationStatsDoc>();
    const samples = Object.values(stats?.samples ?? {}).sort((a, b) => a - b);
    return samples.length === 0 ? DEFAULT_ESTIMATE_SECONDS : Math.max(1, Math.ceil(samples[Math.floor(samples.length / 2)]));
  }

  /**
   * Keeps a sample of recent provisioning times: each operation writes one of ESTIMATE_SAMPLES
   * slots, picked from its ID, so the document stays the same size and concurrent writers
   * rarely touch the same field (FerretDB ignores `$push`'s `$slice`, so no capped array).
   * Resolves once a write holding this sample has succeeded.
   */
  recordProvisioningTime(operationId: string, seconds: number): Promise<void> {
    return this.samples.request(PROVISIONING_STATS_ID, { slot: provisioningSampleSlot(operationId), seconds });
  }

  // ---- transitions, called from activities (idempotent: safe on retry) ----

  /** One write: the operation is running, on this step, on this attempt (start time kept from attempt 1). */
  async stepStarted(id: string, step: string, attempt: number): Promise<void> {
    const now = new Date();
    await this.operations.updateOne(
      { _id: id, status: { $in: ['pending', 'running'] } },
      {
        $set: {
          status: 'running',
          step,
          updated_at: now,
          [`steps.${step}.status`]: 'running',
          [`steps.${step}.attempts`]: attempt,
          ...(attempt === 1 ? { [`steps.${step}.started_at`]: now } : {}),
        },
      },
    );
  }

  /**
   * A step ends. With `next`, the same write starts the next step (running, attempt 1): one write
   * per transition, and the next activity's first attempt writes nothing when it begins. Never
   * writes to an operation that has ended: a step that finishes after a cancel (or after the
   * failure that ended it) would otherwise rewrite what the end recorded.
   */
  async stepFinished(id: string, step: string, status: Extract<StepStatus, 'completed' | 'skipped' | 'failed' | 'compensated'>, detail?: string, next?: string): Promise<void> {
    const now = new Date();
    const finished = { updated_at: now, [`steps.${step}.status`]: status, [`steps.${step}.completed_at`]: now, ...(detail !== undefined ? { [`steps.${step}.detail`]: detail } : {}) };
    if (next) {
      const started = { status: 'running', step: next, [`steps.${next}.status`]: 'running', [`steps.${next}.attempts`]: 1, [`steps.${next}.started_at`]: now };
      const res = await this.operations.updateOne({ _id: id, status: { $in: ['pending', 'running'] } }, { $set: { ...finished, ...started } });
      if (res.matchedCount === 1) return;
    }
    await this.operations.updateOne({ _id: id, status: { $in: ['pending', 'running'] } }, { $set: finished });
  }

  /**
   * Steps that one activity ran end in one write, each with its own times (`at`: when it ended,
   * `startedAt`: when it began, for a step nothing marked running), and `next` starts. Like
   * stepFinished, never writes to an operation that has ended.
   */
  async stepsFinished(id: string, finished: { step: string; at?: Date; startedAt?: Date; detail?: string }[], next?: string): Promise<void> {
    const now = new Date();
    const set: Record<string, unknown> = { updated_at: now };
    for (const f of finished) {
      set[`steps.${f.step}.status`] = 'completed';
      set[`steps.${f.step}.completed_at`] = f.at ?? now;
      if (f.startedAt) Object.assign(set, { [`steps.${f.step}.started_at`]: f.startedAt, [`steps.${f.step}.attempts`]: 1 });
      if (f.detail !== undefined) set[`steps.${f.step}.detail`] = f.detail;
    }
    if (next) Object.assign(set, { status: 'running', step: next, [`steps.${next}.status`]: 'running', [`steps.${next}.attempts`]: 1, [`steps.${next}.started_at`]: now });
    await this.operations.updateOne({ _id: id, status: { $in: ['pending', 'running'] } }, { $set: set });
  }

  /** Terminal success; the last step is marked completed in the same write, so no reader sees `active` with a step still running. */
  async complete(id: string, status: 'active' | 'succeeded', lastStep: string, fields: { phone_number?: string | null; provisioning_time_seconds?: number }): Promise<void> {
    const now = new Date();
    await this.operations.updateOne(
      { _id: id, status: { $in: ['pending', 'running'] } },
      { $set: { status, step: null, completed_at: now, updated_at: now, [`steps.${lastStep}.status`]: 'completed', [`steps.${lastStep}.completed_at`]: now, ...fields } },
    );
  }

  async fail(id: string, status: 'failed' | 'canceled', error: OperationError): Promise<void> {
    const now = new Date();
    // The first end wins: a late failure does not turn a canceled operation into a failed one.
    await this.operations.updateOne({ _id: id, status: { $in: ['pending', 'running'] } }, { $set: { status, error, completed_at: now, updated_at: now } });
  }

  /** Pending operations whose workflow may never have been started (API died between insert and start). */
  async findStalePending(olderThan: Date, limit = 50): Promise<OperationDoc[]> {
    return this.operations.find({ status: 'pending', created_at: { $lt: olderThan } }).limit(limit).lean<OperationDoc[]>();
  }

  isTerminal(status: OperationStatus): boolean {
    return TERMINAL_STATUSES.has(status);
  }
}

/** The stats slot an operation's provisioning time goes to. */
export function provisioningSampleSlot(operationId: string): number {
  return createHash('sha256').update(operationId).digest().readUInt32BE(0) % ESTIMATE_SAMPLES;
}

function firstStart(steps: StepMap): string | null {
  const starts = Object.values(steps ?? {})
    .map((s) => s.started_at)
    .filter((d): d is Date => !!d)
    .map((d) => new Date(d).getTime());
  return starts.length ? new Date(Math.min(...starts)).toISOString() : null;
}

export function toView(doc: OperationDoc): OperationView {
  const steps = doc.steps as unknown as StepMap;
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  return {
    object: 'operation',
    id: doc._id,
    operation_id: doc._id,
    type: doc.type,
    status: doc.status,
    step: doc.step,
    steps: OPERATION_STEPS[doc.type].map((name) => ({
      name,
      status: steps[name]?.status ?? 'pending',
      started_at: iso(steps[name]?.started_at),
      completed_at: iso(steps[name]?.completed_at),
      attempts: steps[name]?.attempts ?? 0,
      detail: steps[name]?.detail ?? null,
    })),
    agent_id: doc.agent_id,
    batch_id: doc.batch_id,
    phone_number: doc.phone_number,
    provisioning_time_seconds: doc.provisioning_time_seconds,
    estimated_seconds: doc.estimated_seconds,
    changed_fields: doc.changed_fields ?? [],
    error: doc.error,
    created_at: doc.created_at.toISOString(),
    // The first step's start is the operation's start (saves a write per operation).
    started_at: iso(doc.started_at) ?? firstStart(steps),
    completed_at: iso(doc.completed_at),
  };
}
