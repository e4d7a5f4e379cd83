import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import { BatchDoc } from '../batches/batch-model';
import { insertOnce } from '../db/database';
import { ApiError, ErrorDetail, NotFoundError } from '../errors/errors';
import { crashPoint } from '../faults/crash-points';
import { derivedPrefixedId, isId, newId } from '../ids/ids';
import type { OperationDoc } from '../operations/operation-model';
import { OperationService, OperationView } from '../operations/operation-service';
import { checkOutboundUrl, OutboundGuardOptions, OutboundUrlRefused } from '../outbound/outbound-url-guard';
import type { PlatformCredentialService } from '../platform-credentials/platform-credential-service';
import { AgentDoc, AgentStatus } from './agent-model';
import { AgentPatch, AgentPayload, agentPayloadSchema } from './agent-payload';
import { AgentService } from './agent-service';
import { retentionDay } from '../maintenance/retention';

/** Starts and cancels the agent workflows; Temporal behind it, swappable in tests. */
export interface AgentWorkflowStarter {
  /** `ops.idempotencyKey`: the request's key when known, shown in the workflow's details for operators. */
  startProvision(input: { operationId: string; accountId: string; agentId: string }, ops?: { idempotencyKey?: string }): Promise<void>;
  startUpdate(input: { operationId: string; accountId: string; agentId: string; changedFields: string[]; research: boolean; regenerate: boolean; rollbackTo?: number }): Promise<void>;
  startDelete(input: { operationId: string; accountId: string; agentId: string }): Promise<void>;
  /** False when no workflow exists for the operation (it was never started). */
  cancel(operationId: string): Promise<boolean>;
  /** The knowledge-base sync (an `agent.kb_sync` operation the reconciler finds never started). */
  startKbSync?(input: { operationId: string; accountId: string; agentId: string }): Promise<void>;
}

export interface Accepted {
  operation_id: string;
  status: 'pending';
  estimated_seconds: number;
  agent_id: string;
}

export interface BatchView {
  object: 'batch';
  id: string;
  batch_id: string;
  item_count: number;
  counts: Record<string, number>;
  operation_ids: string[];
  rejected: BatchDoc['rejected'];
  operations: OperationView[];
  created_at: string;
}

const BATCH_START_CONCURRENCY = 20;

/** An idempotency key's claim (stable across a crash) and, in a batch, the item's index. */
export interface IdSeed {
  key: string;
  claimedAt: Date;
  index?: number;
}

function seededIds(accountId: string, seed: IdSeed): { operationId: string; agentId: string } {
  const at = seed.claimedAt.getTime();
  const item = String(seed.index ?? '');
  return {
    operationId: derivedPrefixedId('operation', at, accountId, seed.key, item, 'operation'),
    agentId: derivedPrefixedId('agent', at, accountId, seed.key, item, 'agent'),
  };
}

/** A keyed change (PATCH, DELETE, rollback) re-run after a crash must land on the operation the first run wrote. */
function seededChangeId(accountId: string, seed: IdSeed | undefined): string {
  return seed ? derivedPrefixedId('operation', seed.claimedAt.getTime(), accountId, seed.key, 'change', 'operation') : newId('operation');
}

type ChangeTo = 'updating' | 'deleting';

/** What a change operation does to its agent in one write when it claims it (kept on the operation, so anyone can finish the claim). */
interface ChangeClaim {
  to: ChangeTo;
  /** The agent's last operation when the change was accepted: a claim from any other state is someone else's change. */
  expected_last_operation_id: string;
  set: Partial<AgentDoc>;
}

/** The agent row a provisioning writes, derived from the operation alone so the reconciler can write it too. */
function agentDocFor(op: OperationDoc, payload: AgentPayload): AgentDoc {
  return {
    _id: op.agent_id,
    account_id: op.account_id,
    name: payload.name,
    status: 'provisioning',
    platform: payload.platform,
    template_id: payload.template_id,
    business_url: payload.business_url,
    voice: payload.voice ?? null,
    language: payload.language,
    area_code: payload.area_code ?? null,
    metadata: payload.metadata ?? {},
    prompt_override: null,
    current_prompt_version: null,
    // Version 1 is the provisioning's own when its operation carries it (operations from before
    // that allocate theirs): later changes allocate the next.
    latest_prompt_version: op.prompt_version ?? 0,
    platform_agent_id: null,
    platform_kb_ids: [],
    phone_number: null,
    telephony: null,
    telephony_number_id: null,
    provision_operation_id: op._id,
    last_operation_id: op._id,
    // The report research writes is keyed by the operation (readers treat a missing one as none).
    research_report_id: op._id,
    created_at: op.created_at,
    updated_at: op.created_at,
    activated_at: null,
    deleted_at: null,
  };
}

/** The entry point for creating, changing and removing agents — REST, MCP and the CLI share it. */
export class ProvisioningService {
  constructor(
    private readonly agents: AgentService,
    private readonly agentDocs: Model<AgentDoc>,
    private readonly operations: OperationService,
    private readonly batches: Model<BatchDoc>,
    private readonly credentials: PlatformCredentialService,
    private readonly workflows: AgentWorkflowStarter,
    private readonly guard: OutboundGuardOptions,
    private readonly logger: Logger,
  ) {}

  /** Checks that need the database (credentials) or the guard; the schema has done the rest. */
  async precheck(accountId: string, payload: AgentPayload, fieldPrefix = 'payload'): Promise<void> {
    try {
      checkOutboundUrl(payload.business_url, this.guard);
    } catch (err) {
      if (err instanceof OutboundUrlRefused) {
        throw new ApiError('VALIDATION_ERROR', 'business_url cannot be fetched.', { details: [{ field: `${fieldPrefix}.business_url`, issue: err.reason, message: err.message }] });
      }
      throw err;
    }
    if (payload.platform === 'local') return;
    // A real platform needs its own key and a real number: the local pool's fictional numbers
    // cannot be imported by ElevenLabs, Vapi or Retell, so Twilio credentials are required too.
    const missing = [];
    if (!(await this.credentials.has(accountId, payload.platform))) missing.push(payload.platform);
    if (!(await this.credentials.has(accountId, 'twilio'))) missing.push('twilio');
    if (missing.length > 0) {
      throw new ApiError('PLATFORM_NOT_CONFIGURED', `No ${missing.join(' or ')} credentials are stored for this account.`, {
        details: missing.map((p) => ({ field: `${fieldPrefix}.platform`, issue: 'platform_not_configured', message: `PUT /v2/platform-credentials/${p} first`, platform: p })),
      });
    }
  }

  async provision(accountId: string, payload: AgentPayload, options: { batchId?: string; estimate?: number; seed?: IdSeed } = {}): Promise<Accepted> {
    const ids = options.seed ? seededIds(accountId, options.seed) : { operationId: newId('operation'), agentId: newId('agent') };
    try {
      await this.precheck(accountId, payload);
    } catch (err) {
      // A re-run after a crash (same key, same claim) finishes what the first run began. It was
      // accepted then, so what the check refuses now (credentials removed since) does not undo it.
      const earlier = options.seed ? await this.operations.findById(ids.operationId) : null;
      if (earlier) return this.resumeProvision(earlier);
      throw err;
    }
    const estimate = options.estimate ?? (await this.operations.estimateProvisioningSeconds());
    const { operationId, agentId } = ids;
    // The operation first: it holds the whole request, so whoever finds it without its agent (a
    // keyed retry, the reconciler) writes the same agent from it; an agent row without an
    // operation could never be started, changed or deleted.
    const op = this.operations.newDoc({ id: operationId, accountId, type: 'agent.provision', agentId, batchId: options.batchId, request: payload as Record<string, unknown>, estimatedSeconds: estimate });
    if (options.seed) {
      // Seeded IDs: a re-run meets the first run's operation here (insert first, no read before).
      const stored = await this.operations.insertOnce(op);
      if (stored !== op) return this.resumeProvision(stored);
    } else {
      await this.operations.insert(op);
    }
    crashPoint('provision.operation-written');
    await insertOnce(this.agentDocs, agentDocFor(op, payload));
    crashPoint('provision.agent-written');
    await this.startOrFail(operationId, () => this.workflows.startProvision({ operationId, accountId, agentId }, { idempotencyKey: options.seed?.key }));
    return { operation_id: operationId, status: 'pending', estimated_seconds: estimate, agent_id: agentId };
  }

  async provisionBatch(accountId: string, items: { payload: AgentPayload | null; invalid?: ErrorDetail[] }[], seed?: IdSeed): Promise<BatchView> {
    const batchId = seed ? derivedPrefixedId('batch', seed.claimedAt.getTime(), accountId, seed.key, 'batch') : newId('batch');
    const estimate = await this.operations.estimateProvisioningSeconds();
    const operationIds: (string | null)[] = new Array(items.length).fill(null);
    const rejected: BatchDoc['rejected'] = [];
    const unsettled: BatchDoc['rejected'] = [];
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const index = next++;
        const item = items[index];
        if (!item.payload) {
          rejected.push({ index, error: { code: 'VALIDATION_ERROR', message: 'This item is invalid.', details: item.invalid ?? [] } });
          continue;
        }
        try {
          operationIds[index] = (await this.provision(accountId, item.payload, { batchId, estimate, seed: seed && { ...seed, index } })).operation_id;
        } catch (err) {
          const e = err instanceof ApiError ? err : new ApiError('INTERNAL_ERROR', 'The item could not be accepted.', { cause: err });
          if (!(err instanceof ApiError)) this.logger.error({ err, batch_id: batchId, index }, 'batch item failed');
          const entry = { index, error: { code: e.code, message: e.message, details: e.details } };
          if (seed && (e.retryable || e.status >= 500)) unsettled.push(entry);
          else rejected.push(entry);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_START_CONCURRENCY, items.length) }, worker));
    if (unsettled.length > 0) {
      // A keyed batch is answered once and replayed forever, so an item that may still succeed
      // must not be frozen into it as rejected: no answer is stored, and the retry (same claim,
      // same derived IDs) finishes exactly the items this attempt did not. Unkeyed, a retry
      // would duplicate the accepted items, so those get their per-item rejection instead.
      unsettled.sort((a, b) => a.index - b.index);
      throw new ApiError('SERVICE_UNAVAILABLE', `${unsettled.length} of ${items.length} items could not be accepted yet; retry with the same Idempotency-Key.`, {
        retryAfterSeconds: 2,
        details: unsettled.map((u) => ({ field: `items.${u.index}`, issue: u.error.code.toLowerCase(), message: u.error.message })),
      });
    }
    rejected.sort((a, b) => a.index - b.index);
    crashPoint('batch.items-written');
    const createdAt = seed?.claimedAt ?? new Date();
    const doc: BatchDoc = { _id: batchId, account_id: accountId, operation_ids: operationIds.filter((x): x is string => !!x), rejected, item_count: items.length, created_at: createdAt, retention_day: retentionDay(createdAt) };
    await this.batches.replaceOne({ _id: batchId }, doc, { upsert: true });
    return this.batchView(doc, operationIds);
  }

  async getBatch(accountId: string, id: string): Promise<BatchView> {
    if (!isId('batch', id)) throw new ApiError('INVALID_ID', `${id} is not a batch ID.`, { details: [{ field: 'id', issue: 'invalid_id', message: 'expected batch_…' }] });
    const doc = await this.batches.findOne({ _id: id, account_id: accountId }).lean<BatchDoc>();
    if (!doc) throw new NotFoundError('batch', id);
    return this.batchView(doc);
  }

  async update(accountId: string, agentId: string, patch: AgentPatch, seed?: IdSeed): Promise<Accepted> {
    if (patch.business_url !== undefined) {
      try {
        checkOutboundUrl(patch.business_url, this.guard);
      } catch (err) {
        throw new ApiError('VALIDATION_ERROR', 'business_url cannot be fetched.', { details: [{ field: 'business_url', issue: (err as OutboundUrlRefused).reason ?? 'invalid', message: (err as Error).message }] });
      }
    }
    return this.change(accountId, agentId, 'agent.update', seed, (before) => {
      const changed: string[] = [];
      const set: Partial<AgentDoc> = {};
      if (patch.name !== undefined && patch.name !== before.name) (set.name = patch.name), changed.push('name');
      if (patch.voice !== undefined && patch.voice !== before.voice) (set.voice = patch.voice), changed.push('voice');
      if (patch.business_url !== undefined && patch.business_url !== before.business_url) (set.business_url = patch.business_url), changed.push('business_url');
      if (patch.template_id !== undefined && patch.template_id !== before.template_id) (set.template_id = patch.template_id), changed.push('template_id');
      if (patch.system_prompt_override !== undefined && patch.system_prompt_override !== before.prompt_override) {
        set.prompt_override = patch.system_prompt_override;
        changed.push('system_prompt_override');
      }
      if (patch.extraction !== undefined && JSON.stringify(patch.extraction) !== JSON.stringify(before.extraction_overrides ?? null)) {
        set.extraction_overrides = patch.extraction;
        changed.push('extraction');
      }
      // What the fields were, so a failed update can put them back (failChange).
      const previous = { name: before.name, voice: before.voice, business_url: before.business_url, template_id: before.template_id, prompt_override: before.prompt_override, extraction_overrides: before.extraction_overrides ?? null };
      return { changed, set, request: { patch, previous } };
    });
  }

  async rollback(accountId: string, agentId: string, version: number, seed?: IdSeed): Promise<Accepted> {
    await this.agents.getPromptVersion(accountId, agentId, version);
    return this.change(accountId, agentId, 'agent.update', seed, () => ({ changed: ['system_prompt_version'], set: {}, request: { rollback_to: version } }));
  }

  async remove(accountId: string, agentId: string, seed?: IdSeed): Promise<Accepted> {
    return this.change(accountId, agentId, 'agent.delete', seed, () => ({ changed: [], set: {}, request: {} }));
  }

  /**
   * One change of an agent, in an order whose every prefix is recoverable: the operation is
   * written first, holding everything the claim will do; then the agent is claimed (status,
   * last operation and changed fields in one write); then the workflow is started. A crash after
   * the first write leaves a pending operation that a keyed retry or the reconciler claims for
   * (or, if the agent has moved on, fails); nothing can leave an agent busy without an operation.
   */
  private async change(
    accountId: string,
    agentId: string,
    type: 'agent.update' | 'agent.delete',
    seed: IdSeed | undefined,
    plan: (before: AgentDoc) => { changed: string[]; set: Partial<AgentDoc>; request: Record<string, unknown> },
  ): Promise<Accepted> {
    const to: ChangeTo = type === 'agent.delete' ? 'deleting' : 'updating';
    const operationId = seededChangeId(accountId, seed);
    if (seed) {
      const earlier = await this.operations.findById(operationId);
      if (earlier && earlier.account_id === accountId && earlier.agent_id === agentId) return this.resumeChange(earlier);
    }
    const before = await this.agents.find(accountId, agentId);
    if (!this.agents.claimableFrom(to).includes(before.status)) throw this.agents.busy(before, to);
    const { changed, set, request } = plan(before);
    const claim: ChangeClaim = { to, expected_last_operation_id: before.last_operation_id, set };
    const op = this.operations.newDoc({ id: operationId, accountId, type, agentId, request: { ...request, claim }, changedFields: changed, estimatedSeconds: 10 });
    await this.operations.insert(op);
    crashPoint('change.operation-written');
    if (!(await this.claim(op))) {
      // Another change got there between the read and the claim: this one never took effect and
      // nobody was told its ID, so it is undone, and the retry (same derived ID) starts afresh.
      await this.operations.discard(operationId);
      throw this.agents.busy(await this.agents.find(accountId, agentId), to);
    }
    crashPoint('change.claimed');
    await this.startOrFail(operationId, () => this.startWorkflow(op));
    return { operation_id: operationId, status: 'pending', estimated_seconds: 10, agent_id: agentId };
  }

  /** Applies a change operation's claim to its agent; true when the agent is (now or already) this operation's. */
  private async claim(op: OperationDoc): Promise<boolean> {
    const claim = (op.request as { claim?: ChangeClaim }).claim;
    if (!claim) return (await this.agents.findById(op.agent_id))?.last_operation_id === op._id;
    const res = await this.agentDocs.updateOne(
      { _id: op.agent_id, account_id: op.account_id, status: { $in: this.agents.claimableFrom(claim.to) }, last_operation_id: claim.expected_last_operation_id },
      { $set: { ...claim.set, status: claim.to, last_operation_id: op._id, updated_at: new Date() } },
    );
    if (res.matchedCount > 0) return true;
    return (await this.agents.findById(op.agent_id))?.last_operation_id === op._id;
  }

  /** A keyed change re-run after a crash: the operation exists; make sure its claim and workflow do too. */
  private async resumeChange(op: OperationDoc): Promise<Accepted> {
    const accepted: Accepted = { operation_id: op._id, status: 'pending', estimated_seconds: op.estimated_seconds ?? 10, agent_id: op.agent_id };
    if (op.status !== 'pending') return accepted;
    if (!(await this.claim(op))) {
      await this.operations.discard(op._id);
      throw this.agents.busy(await this.agents.find(op.account_id, op.agent_id), (op.request as { claim?: ChangeClaim }).claim?.to ?? 'updating');
    }
    await this.startOrFail(op._id, () => this.startWorkflow(op));
    return accepted;
  }

  async cancel(accountId: string, operationId: string): Promise<OperationView> {
    const op = await this.operations.find(accountId, operationId);
    if (this.operations.isTerminal(op.status)) {
      throw new ApiError('OPERATION_NOT_CANCELABLE', `Operation ${operationId} is already ${op.status}.`, { details: [{ field: 'id', issue: 'already_finished', message: `status is ${op.status}` }] });
    }
    if (op.type !== 'agent.provision') {
      throw new ApiError('OPERATION_NOT_CANCELABLE', 'Only provisioning operations can be canceled.', { details: [{ field: 'id', issue: 'not_cancelable', message: `type is ${op.type}` }] });
    }
    const started = await this.workflows.cancel(operationId);
    if (!started) {
      // Accepted while Temporal was unreachable and never started: nothing was done, so
      // canceling is just recording it (the reconciler skips non-pending operations).
      const error = { code: 'CANCELED', message: 'The operation was canceled before it started.', retryable: false, step: null };
      await this.operations.fail(operationId, 'canceled', error);
      await this.agents.update(op.agent_id, { status: 'failed' });
    }
    return this.operations.get(accountId, operationId);
  }

  /** The answer for an operation a crashed earlier run already wrote: make sure its agent and workflow exist. */
  private async resumeProvision(op: OperationDoc): Promise<Accepted> {
    const accepted: Accepted = { operation_id: op._id, status: 'pending', estimated_seconds: op.estimated_seconds ?? 90, agent_id: op.agent_id };
    if (op.status !== 'pending') return accepted;
    if (!(await this.ensureAgent(op))) throw new ApiError('INTERNAL_ERROR', 'The earlier attempt cannot be finished.');
    await this.startOrFail(op._id, () => this.startWorkflow(op));
    return accepted;
  }

  /** Writes a provisioning's agent from its operation if a crash left it unwritten; false if the operation cannot have one. */
  private async ensureAgent(op: OperationDoc): Promise<boolean> {
    if (await this.agentDocs.exists({ _id: op.agent_id })) return true;
    // Absent optional fields may have been stored as null (the driver's encoding of undefined).
    const stored = Object.fromEntries(Object.entries(op.request ?? {}).filter(([, v]) => v !== null));
    const payload = agentPayloadSchema.safeParse(stored);
    if (!payload.success) {
      await this.operations.fail(op._id, 'failed', { code: 'AGENT_NOT_FOUND', message: 'The agent was never written and the request cannot be recovered.', retryable: false, step: null });
      return false;
    }
    await insertOnce(this.agentDocs, agentDocFor(op, payload.data));
    return true;
  }

  private async startWorkflow(op: OperationDoc): Promise<void> {
    const base = { operationId: op._id, accountId: op.account_id, agentId: op.agent_id };
    if (op.type === 'agent.provision') return this.workflows.startProvision(base);
    if (op.type === 'agent.delete') return this.workflows.startDelete(base);
    const rollbackTo = (op.request as { rollback_to?: number }).rollback_to;
    return this.workflows.startUpdate({ ...base, changedFields: op.changed_fields, research: op.changed_fields.includes('business_url'), regenerate: rollbackTo === undefined, rollbackTo });
  }

  /**
   * The repairs for every crash window of the API's writes, run by the worker every 30 s:
   * pending operations get their missing agent (provisioning) or claim (change), then their
   * workflow (never twice: the workflow ID is the operation ID); agents left busy by an operation
   * that does not exist or has ended are settled. Returns how many it repaired.
   */
  async reconcilePending(olderThanMs = 60_000): Promise<number> {
    const olderThan = new Date(Date.now() - olderThanMs);
    const stale = await this.operations.findStalePending(olderThan);
    for (const op of stale) {
      try {
        if (op.type === 'agent.kb_sync') {
          // A sync claims nothing: it pushes whatever version is newest when it runs.
          if (!this.workflows.startKbSync) continue;
          await this.startOrFail(op._id, () => this.workflows.startKbSync!({ operationId: op._id, accountId: op.account_id, agentId: op.agent_id }));
          continue;
        }
        if (op.type === 'agent.provision') {
          if (!(await this.ensureAgent(op))) continue;
        } else if (!(await this.claim(op))) {
          // The agent moved on (deleted, or changed by a later request) before this change claimed it.
          await this.operations.fail(op._id, 'failed', { code: 'CONFLICT', message: 'The agent was changed or removed before this change could start.', retryable: false, step: null });
          continue;
        }
        await this.startWorkflow(op);
      } catch (err) {
        this.logger.warn({ err, operation_id: op._id }, 'pending operation not reconciled; next pass retries');
      }
    }
    return stale.length + (await this.settleOrphanedAgents(olderThan));
  }

  /**
   * Agents busy on behalf of an operation that cannot finish them: missing (an earlier release
   * claimed the agent before writing its operation) or ended (a cancel that died between failing
   * the operation and the agent). Left alone they answer 409 to every change forever.
   */
  private async settleOrphanedAgents(olderThan: Date): Promise<number> {
    const busy = await this.agents.findStaleBusy(olderThan);
    if (busy.length === 0) return 0;
    const ops = new Map((await this.operations.findDocsByIds(busy.map((a) => a.last_operation_id))).map((o) => [o._id, o]));
    let settled = 0;
    for (const agent of busy) {
      const op = ops.get(agent.last_operation_id);
      if (op && !(this.operations.isTerminal(op.status) && agent.status === 'provisioning' && (op.status === 'failed' || op.status === 'canceled'))) continue;
      const status: AgentStatus = agent.status === 'provisioning' || !agent.activated_at ? 'failed' : 'active';
      const res = await this.agentDocs.updateOne({ _id: agent._id, status: agent.status, last_operation_id: agent.last_operation_id }, { $set: { status, updated_at: new Date() } });
      if (res.modifiedCount > 0) {
        settled++;
        this.logger.warn({ agent_id: agent._id, operation_id: agent.last_operation_id, from: agent.status, to: status }, 'settled an agent left busy without a live operation');
      }
    }
    return settled;
  }

  /**
   * If Temporal cannot take the workflow now, the operation is still accepted: it stays pending
   * and the worker's reconciler starts it (the workflow ID is the operation ID, so never twice).
   * Answering 503 instead would invite a retry that creates a second agent.
   */
  private async startOrFail(operationId: string, start: () => Promise<void>): Promise<void> {
    try {
      await start();
    } catch (err) {
      this.logger.warn({ err, operation_id: operationId }, 'workflow start deferred to the reconciler');
    }
  }

  private async batchView(doc: BatchDoc, ordered?: (string | null)[]): Promise<BatchView> {
    const operations = await this.operations.listByIds(doc.account_id, doc.operation_ids);
    const counts: Record<string, number> = { pending: 0, running: 0, active: 0, failed: 0, canceled: 0, rejected: doc.rejected.length };
    for (const op of operations) counts[op.status] = (counts[op.status] ?? 0) + 1;
    return {
      object: 'batch',
      id: doc._id,
      batch_id: doc._id,
      item_count: doc.item_count,
      counts,
      operation_ids: ordered ? ordered.filter((x): x is string => !!x) : doc.operation_ids,
      rejected: doc.rejected,
      operations,
      created_at: doc.created_at.toISOString(),
    };
  }
}
