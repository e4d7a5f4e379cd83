import { setTimeout as sleep } from 'node:timers/promises';
import type { Model } from 'mongoose';
import { ulid } from 'ulid';
import type { PlatformCall } from '../calls/call-types';
import { insertOnce } from '../db/database';
import { derivedId } from '../db/derived-id';
import { LocalKnowledgeDocument, LocalNumberRouteDoc, LocalPlatformAgentDoc, localNumberRouteModel } from './local-platform-agent-model';
import { AgentDeployment, DeployedAgent, PhoneAttachment, PlatformAdapter, PlatformCredentials, PlatformError } from './platform-adapter';

export interface LocalPlatformOptions {
  /** Added to every call, so benchmarks and demos see something like a real platform's round trip. */
  latencyMs?: number;
}

/**
 * The voice platform used in development and tests: it keeps agents in our own database so the
 * product runs fully offline, and it behaves like the real adapters where it matters (dedupe by
 * token, idempotent delete, one agent per number). Credentials are ignored.
 */
export class LocalPlatformAdapter implements PlatformAdapter {
  readonly name = 'local' as const;
  private readonly latencyMs: number;
  private indexes: Promise<void> | null = null;

  private readonly routes: Model<LocalNumberRouteDoc>;

  constructor(
    private readonly agents: Model<LocalPlatformAgentDoc>,
    options: LocalPlatformOptions = {},
  ) {
    this.routes = localNumberRouteModel(agents.db);
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
  }

  /**
   * Connections run with autoIndex off, and the unique dedupe index is what makes createAgent safe
   * under concurrent retries, so the adapter makes sure it exists before its first write.
   */
  ensureIndexes(): Promise<void> {
    this.indexes ??= this.agents.createIndexes().catch((err: unknown) => {
      this.indexes = null;
      throw err;
    });
    return this.indexes;
  }

  async createAgent(_credentials: PlatformCredentials, deployment: AgentDeployment): Promise<DeployedAgent> {
    await this.simulateLatency();
    await this.ensureIndexes();
    // The ID is derived from the token (core/db/derived-id.ts), so a retry's insert lands on the
    // agent an earlier attempt (or a concurrent one) made, and insertOnce answers with that one.
    const id = derivedId('local_agent_', deployment.dedupe_token);
    const now = new Date();
    const doc: LocalPlatformAgentDoc = {
      _id: id,
      dedupe_token: deployment.dedupe_token,
      ...fields(deployment, []),
      phone_numbers: [],
      created_at: now,
      updated_at: now,
    };
    return deployed(await insertOnce(this.agents, doc));
  }

  async updateAgent(_credentials: PlatformCredentials, platformAgentId: string, deployment: AgentDeployment): Promise<DeployedAgent> {
    await this.simulateLatency();
    const current = await this.agents.findById(platformAgentId).lean<LocalPlatformAgentDoc>();
    if (!current) throw notFound(platformAgentId);
    const updated = await this.agents
      .findOneAndUpdate(
        { _id: platformAgentId },
        { $set: { ...fields(deployment, current.knowledge_base), updated_at: new Date() } },
        { returnDocument: 'after' },
      )
      .lean<LocalPlatformAgentDoc>();
    if (!updated) throw notFound(platformAgentId);
    return deployed(updated);
  }

  async findAgentByDedupeToken(_credentials: PlatformCredentials, dedupeToken: string): Promise<DeployedAgent | null> {
    await this.simulateLatency();
    // The ID is derived from the token (as in createAgent), so this is a primary-key read.
    const doc = await this.agents.findById(derivedId('local_agent_', dedupeToken)).lean<LocalPlatformAgentDoc>();
    return doc ? deployed(doc) : null;
  }

  async deleteAgent(_credentials: PlatformCredentials, deployedAgent: DeployedAgent): Promise<void> {
    await this.simulateLatency();
    await this.agents.deleteOne({ _id: deployedAgent.platform_agent_id });
  }

  async attachPhoneNumber(_credentials: PlatformCredentials, platformAgentId: string, phone: PhoneAttachment): Promise<void> {
    await this.simulateLatency();
    // The agent takes the number first (which also proves it exists), then the route moves: a
    // number routes to one agent, as on every real platform. The route is keyed by the number,
    // so moving it is one upsert; the agent it left is found by ID, not by a scan.
    const result = await this.agents.updateOne({ _id: platformAgentId }, { $addToSet: { phone_numbers: phone.e164 } });
    if (result.matchedCount === 0) throw notFound(platformAgentId);
    const previous = await this.routes
      .findOneAndUpdate({ _id: phone.e164 }, { $set: { agent_id: platformAgentId, updated_at: new Date() } }, { upsert: true, returnDocument: 'before' })
      .lean<LocalNumberRouteDoc>();
    if (previous && previous.agent_id !== platformAgentId) {
      await this.agents.updateOne({ _id: previous.agent_id }, { $pull: { phone_numbers: phone.e164 } });
    }
  }

  /** The simulator pushes every call event itself, so there is nothing to poll. */
  async getCall(_credentials: PlatformCredentials, _platformCallId: string): Promise<PlatformCall | null> {
    return null;
  }

  /** The agent as the simulator stores it (for simulated calls and tests). */
  async getAgent(platformAgentId: string): Promise<LocalPlatformAgentDoc | null> {
    return this.agents.findById(platformAgentId).lean<LocalPlatformAgentDoc>();
  }

  /** The agent an inbound call to `e164` would reach. */
  async agentForNumber(e164: string): Promise<LocalPlatformAgentDoc | null> {
    const route = await this.routes.findById(e164).lean<LocalNumberRouteDoc>();
    return route ? this.agents.findById(route.agent_id).lean<LocalPlatformAgentDoc>() : null;
  }

  private async simulateLatency(): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
  }
}

/** The deployment's stored fields; a document keeps its ID across updates when its key is unchanged. */
function fields(deployment: AgentDeployment, previous: LocalKnowledgeDocument[]) {
  const idsByKey = new Map(previous.map((d) => [d.key, d.id]));
  return {
    name: deployment.name,
    system_prompt: deployment.system_prompt,
    first_message: deployment.first_message,
    voice: deployment.voice ?? null,
    language: deployment.language,
    knowledge_base: deployment.knowledge_base.map((d) => ({
      id: idsByKey.get(d.key) ?? `local_kb_${ulid().toLowerCase()}`,
      key: d.key,
      title: d.title,
      content: d.content,
    })),
  };
}

function deployed(doc: LocalPlatformAgentDoc): DeployedAgent {
  return { platform: 'local', platform_agent_id: doc._id, knowledge_base_ids: doc.knowledge_base.map((d) => d.id) };
}

function notFound(platformAgentId: string): PlatformError {
  return new PlatformError('local', 'not_found', `local agent ${platformAgentId} does not exist`, false, 404);
}
