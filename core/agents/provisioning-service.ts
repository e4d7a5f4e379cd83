import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import { BatchDoc } from '../batches/batch-model';
import { ApiError, ErrorDetail, NotFoundError } from '../errors/errors';
import { derivedPrefixedId, isId, newId } from '../ids/ids';
import type { OperationDoc } from '../operations/operation-model';
import { OperationService, OperationView } from '../operations/operation-service';
import { checkOutboundUrl, OutboundGuardOptions, OutboundUrlRefused } from '../outbound/outbound-url-guard';
import type { PlatformCredentialService } from '../platform-credentials/platform-credential-service';
import { AgentDoc } from './agent-model';
import { AgentPatch, AgentPayload } from './agent-payload';
import { AgentService } from './agent-service';

/** Starts and cancels the agent workflows; Temporal behind it, swappable in tests. */
export interface AgentWorkflowStarter {
  startProvision(input: { operationId: string; accountId: string; agentId: string }): Promise<void>;
  startUpdate(input: { operationId: string; accountId: string; agentId: string; changedFields: string[]; research: boolean; regenerate: boolean; rollbackTo?: number }): Promise<void>;
  startDelete(input: { operationId: string; accountId: string; agentId: string }): Promise<void>;
  /** False when no workflow exists for the operation (it was never started). */
  cancel(operationId: string): Promise<boolean>;
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
    await this.precheck(accountId, payload);
    const estimate = options.estimate ?? (await this.operations.estimateProvisioningSeconds());
    const ids = options.seed ? seededIds(accountId, options.seed) : { operationId: newId('operation'), agentId: newId('agent') };
    if (options.seed) {
      // A re-run after a crash (same key, same claim): finish what the first run began.
      const earlier = await this.operations.findById(ids.operationId);
      if (earlier) return this.resume(earlier, estimate);
    }
    const { operationId, agentId } = ids;
    const now = new Date();
    const agent: AgentDoc = {
      _id: agentId,
      account_id: accountId,
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
      latest_prompt_version: 0,
      platform_agent_id: null,
      platform_kb_ids: [],
      phone_number: null,
      telephony: null,
      telephony_number_id: null,
      provision_operation_id: operationId,
      last_operation_id: operationId,
      research_report_id: null,
      created_at: now,
      updated_at: now,
      activated_at: null,
      deleted_at: null,
    };
    // The operation first: a pending operation is what the reconciler repairs; an agent row
    // without one could never be started, changed or deleted.
    await this.operations.insert(
      this.operations.newDoc({ id: operationId, accountId, type: 'agent.provision', agentId, batchId: options.batchId, request: payload as Record<string, unknown>, estimatedSeconds: estimate }),
    );
    await this.agentDocs.collection.insertOne(agent as never);
    await this.startOrFail(operationId, () => this.workflows.startProvision({ operationId, accountId, agentId }));
    return { operation_id: operationId, status: 'pending', estimated_seconds: estimate, agent_id: agentId };
  }

  async provisionBatch(accountId: string, items: { payload: AgentPayload | null; invalid?: ErrorDetail[] }[], seed?: IdSeed): Promise<BatchView> {
    const batchId = seed ? derivedPrefixedId('batch', seed.claimedAt.getTime(), accountId, seed.key, 'batch') : newId('batch');
    const estimate = await this.operations.estimateProvisioningSeconds();
    const operationIds: (string | null)[] = new Array(items.length).fill(null);
    const rejected: BatchDoc['rejected'] = [];
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
          const e = err instanceof ApiError ? err : new ApiError('INTERNAL_ERROR', (err as Error).message);
          rejected.push({ index, error: { code: e.code, message: e.message, details: e.details } });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_START_CONCURRENCY, items.length) }, worker));
    rejected.sort((a, b) => a.index - b.index);
    const doc: BatchDoc = { _id: batchId, account_id: accountId, operation_ids: operationIds.filter((x): x is string => !!x), rejected, item_count: items.length, created_at: new Date() };
    await this.batches.replaceOne({ _id: batchId }, doc, { upsert: true });
    return this.batchView(doc, operationIds);
  }

  async getBatch(accountId: string, id: string): Promise<BatchView> {
    if (!isId('batch', id)) throw new ApiError('INVALID_ID', `${id} is not a batch ID.`, { details: [{ field: 'id', issue: 'invalid_id', message: 'expected batch_…' }] });
    const doc = await this.batches.findOne({ _id: id, account_id: accountId }).lean<BatchDoc>();
    if (!doc) throw new NotFoundError('batch', id);
    return this.batchView(doc);
  }

  async update(accountId: string, agentId: string, patch: AgentPatch): Promise<Accepted> {
    if (patch.business_url !== undefined) {
      try {
        checkOutboundUrl(patch.business_url, this.guard);
      } catch (err) {
        throw new ApiError('VALIDATION_ERROR', 'business_url cannot be fetched.', { details: [{ field: 'business_url', issue: (err as OutboundUrlRefused).reason ?? 'invalid', message: (err as Error).message }] });
      }
    }
    const operationId = newId('operation');
    return this.withClaim(accountId, agentId, 'updating', operationId, async (before) => {
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
      // What the fields were, so a failed update can put them back (failChange).
      const previous = { name: before.name, voice: before.voice, business_url: before.business_url, template_id: before.template_id, prompt_override: before.prompt_override };
      await this.agents.update(agentId, set);
      return this.startChange(accountId, agentId, operationId, 'agent.update', changed, { patch, previous }, () =>
        this.workflows.startUpdate({ operationId, accountId, agentId, changedFields: changed, research: changed.includes('business_url'), regenerate: true }),
      );
    });
  }

  async rollback(accountId: string, agentId: string, version: number): Promise<Accepted> {
    await this.agents.getPromptVersion(accountId, agentId, version);
    const operationId = newId('operation');
    return this.withClaim(accountId, agentId, 'updating', operationId, () =>
      this.startChange(accountId, agentId, operationId, 'agent.update', ['system_prompt_version'], { rollback_to: version }, () =>
        this.workflows.startUpdate({ operationId, accountId, agentId, changedFields: ['system_prompt_version'], research: false, regenerate: false, rollbackTo: version }),
      ),
    );
  }

  async remove(accountId: string, agentId: string): Promise<Accepted> {
    const operationId = newId('operation');
    return this.withClaim(accountId, agentId, 'deleting', operationId, () =>
      this.startChange(accountId, agentId, operationId, 'agent.delete', [], {}, () => this.workflows.startDelete({ operationId, accountId, agentId })),
    );
  }

  /**
   * Claims the agent for one change and releases the claim if the operation could not even be
   * written, so a database error cannot leave an agent "updating" forever with no operation.
   */
  private async withClaim<T>(accountId: string, agentId: string, to: 'updating' | 'deleting', operationId: string, work: (before: AgentDoc) => Promise<T>): Promise<T> {
    const before = await this.agents.claimForChange(accountId, agentId, to, operationId);
    try {
      return await work(before);
    } catch (err) {
      if (!(await this.operations.findById(operationId))) {
        const { name, voice, business_url, template_id, prompt_override } = before;
        await this.agents.update(agentId, { name, voice, business_url, template_id, prompt_override, status: before.status, last_operation_id: before.last_operation_id });
      }
      throw err;
    }
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
  private async resume(op: OperationDoc, estimate: number): Promise<Accepted> {
    if (!(await this.agentDocs.exists({ _id: op.agent_id }))) throw new ApiError('SERVICE_UNAVAILABLE', 'The earlier attempt is being recovered; retry.', { retryAfterSeconds: 2 });
    await this.startOrFail(op._id, () => this.workflows.startProvision({ operationId: op._id, accountId: op.account_id, agentId: op.agent_id }));
    return { operation_id: op._id, status: 'pending', estimated_seconds: op.estimated_seconds ?? estimate, agent_id: op.agent_id };
  }

  /** Starts workflows for operations whose API process died between writing them and starting them. */
  async reconcilePending(olderThanMs = 60_000): Promise<number> {
    const stale = await this.operations.findStalePending(new Date(Date.now() - olderThanMs));
    for (const op of stale) {
      const base = { operationId: op._id, accountId: op.account_id, agentId: op.agent_id };
      if (op.type === 'agent.provision') await this.workflows.startProvision(base);
      else if (op.type === 'agent.delete') await this.workflows.startDelete(base);
      else {
        const rollbackTo = (op.request as { rollback_to?: number }).rollback_to;
        await this.workflows.startUpdate({ ...base, changedFields: op.changed_fields, research: op.changed_fields.includes('business_url'), regenerate: rollbackTo === undefined, rollbackTo });
      }
    }
    return stale.length;
  }

  private async startChange(accountId: string, agentId: string, operationId: string, type: 'agent.update' | 'agent.delete', changed: string[], request: Record<string, unknown>, start: () => Promise<void>): Promise<Accepted> {
    await this.operations.insert(this.operations.newDoc({ id: operationId, accountId, type, agentId, request, changedFields: changed, estimatedSeconds: 10 }));
    await this.startOrFail(operationId, start);
    return { operation_id: operationId, status: 'pending', estimated_seconds: 10, agent_id: agentId };
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
