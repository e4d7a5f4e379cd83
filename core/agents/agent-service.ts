import type { ExtractionOverrides } from '../calls/extraction-schema';
import { Model } from 'mongoose';
import { ApiError, NotFoundError } from '../errors/errors';
import { encodeTime } from 'ulid';
import { insertOnce } from '../db/database';
import { hashBase32, ID_PREFIXES, isId } from '../ids/ids';
import { Page, PageQuery, paginate } from '../pagination/pagination';
import { AgentDoc, AgentStatus, PromptVersionDoc } from './agent-model';

export interface AgentView {
  object: 'agent';
  id: string;
  name: string;
  status: AgentStatus;
  platform: string;
  template_id: string;
  business_url: string;
  voice: string | null;
  language: string;
  area_code: string | null;
  phone_number: string | null;
  prompt_version: number | null;
  prompt_override: boolean;
  platform_agent_id: string | null;
  metadata: Record<string, string>;
  /** The agent's changes to its template's extraction schema; null when it uses the template's as is. */
  extraction: ExtractionOverrides | null;
  operation_id: string;
  last_operation_id: string;
  created_at: string;
  updated_at: string;
  activated_at: string | null;
}

export interface PromptVersionView {
  object: 'prompt_version';
  id: string;
  agent_id: string;
  version: number;
  is_current: boolean;
  source: PromptVersionDoc['source'];
  generator: string | null;
  rolled_back_from: number | null;
  system_prompt: string;
  first_message: string;
  knowledge_base: { key: string; title: string; content: string }[];
  created_at: string;
}

export interface AgentFilter {
  status?: AgentStatus;
  platform?: string;
  template_id?: string;
  name?: string;
}

export class AgentService {
  constructor(
    private readonly agents: Model<AgentDoc>,
    private readonly promptVersions: Model<PromptVersionDoc>,
  ) {}

  async find(accountId: string, id: string, options: { includeDeleted?: boolean } = {}): Promise<AgentDoc> {
    if (!isId('agent', id)) throw new ApiError('INVALID_ID', `${id} is not an agent ID.`, { details: [{ field: 'id', issue: 'invalid_id', message: 'expected agt_…' }] });
    const doc = await this.agents.findOne({ _id: id, account_id: accountId }).lean<AgentDoc>();
    if (!doc || (!options.includeDeleted && doc.status === 'deleted')) throw new NotFoundError('agent', id);
    return doc;
  }

  async get(accountId: string, id: string): Promise<AgentView> {
    return toAgentView(await this.find(accountId, id, { includeDeleted: true }));
  }

  list(accountId: string, filter: AgentFilter, page: PageQuery): Promise<Page<AgentView>> {
    const query: Record<string, unknown> = { account_id: accountId };
    query.status = filter.status ?? { $ne: 'deleted' };
    if (filter.platform) query.platform = filter.platform;
    if (filter.template_id) query.template_id = filter.template_id;
    if (filter.name) query.name = filter.name;
    return paginate(this.agents, 'agents', query, page, toAgentView);
  }

  async findById(id: string): Promise<AgentDoc | null> {
    return this.agents.findById(id).lean<AgentDoc>();
  }

  async update(id: string, set: Partial<AgentDoc>): Promise<void> {
    await this.agents.updateOne({ _id: id }, { $set: { ...set, updated_at: new Date() } });
  }

  /** The statuses a change may start from: a failed agent can still be deleted (to clean up), but only an active one can be updated. */
  claimableFrom(to: 'updating' | 'deleting'): AgentStatus[] {
    return to === 'deleting' ? ['active', 'failed'] : ['active'];
  }

  /** Why the agent cannot take a change now; retryable while another operation is working on it. */
  busy(current: AgentDoc, to: 'updating' | 'deleting'): ApiError {
    return new ApiError('CONFLICT', `Agent ${current._id} is ${current.status}; it cannot be ${to === 'deleting' ? 'deleted' : 'updated'} now.`, {
      details: [{ field: 'id', issue: 'agent_busy', message: `status is ${current.status}`, status: current.status, operation_id: current.last_operation_id }],
      recovery: 'wait_for_operation',
      retryable: current.status === 'provisioning' || current.status === 'updating' || current.status === 'deleting',
    });
  }

  /** Agents working on an operation and untouched since `olderThan`: the reconciler checks their operation still exists. */
  async findStaleBusy(olderThan: Date, limit = 100): Promise<AgentDoc[]> {
    // One equality query per status rather than `$in`: FerretDB pushes equality down to an index
    // and answers `$in` by scanning every agent, on every reconciler pass.
    const busy = await Promise.all(
      (['provisioning', 'updating', 'deleting'] as const).map((status) => this.agents.find({ status, updated_at: { $lt: olderThan } }).limit(limit).lean<AgentDoc[]>()),
    );
    return busy.flat().slice(0, limit);
  }

  async listPromptVersions(accountId: string, agentId: string, page: PageQuery): Promise<Page<PromptVersionView>> {
    const agent = await this.find(accountId, agentId, { includeDeleted: true });
    return paginate(this.promptVersions, `prompt_versions:${agentId}`, { account_id: accountId, agent_id: agentId }, page, (d) => toPromptVersionView(d, agent.current_prompt_version));
  }

  async getPromptVersion(accountId: string, agentId: string, version: number): Promise<PromptVersionDoc> {
    const doc = await this.promptVersionByNumber(agentId, version);
    if (!doc || doc.account_id !== accountId) throw new NotFoundError('prompt version', `${agentId} v${version}`);
    return doc;
  }

  /** A version's ID is derived from (agent, version): this is a primary-key read. */
  async promptVersionByNumber(agentId: string, version: number): Promise<PromptVersionDoc | null> {
    return this.promptVersions.findById(promptVersionId(agentId, version)).lean<PromptVersionDoc>();
  }

  /** The next version number for the agent, allocated atomically. */
  async allocatePromptVersion(agentId: string): Promise<number> {
    const agent = await this.agents
      .findOneAndUpdate({ _id: agentId }, { $inc: { latest_prompt_version: 1 } }, { returnDocument: 'after' })
      .lean<AgentDoc>();
    if (!agent) throw new NotFoundError('agent', agentId);
    return agent.latest_prompt_version;
  }

  /** Writes the version at most once: its ID is derived from (agent, version), so a retry hits the same row. */
  async savePromptVersion(input: Omit<PromptVersionDoc, '_id' | 'created_at'>): Promise<PromptVersionDoc> {
    return insertOnce(this.promptVersions, { ...input, _id: promptVersionId(input.agent_id, input.version), created_at: new Date() });
  }
}

/**
 * `pv_` + the agent's time prefix + the version in base 32 + a hash: a valid prefixed ID that
 * sorts by version within an agent and can be computed from (agent, version) without a query.
 */
export function promptVersionId(agentId: string, version: number): string {
  const agentUlid = agentId.slice(agentId.indexOf('_') + 1);
  // ULID's time encoder is a fixed-width base-32 number encoder: here, the version.
  const v = encodeTime(version, 6).toLowerCase();
  return `${ID_PREFIXES.promptVersion}_${agentUlid.slice(0, 10)}${v}${hashBase32([`${agentId}:${version}`], 10)}`;
}

export function toAgentView(doc: AgentDoc): AgentView {
  return {
    object: 'agent',
    id: doc._id,
    name: doc.name,
    status: doc.status,
    platform: doc.platform,
    template_id: doc.template_id,
    business_url: doc.business_url,
    voice: doc.voice,
    language: doc.language,
    area_code: doc.area_code,
    phone_number: doc.phone_number,
    prompt_version: doc.current_prompt_version,
    prompt_override: doc.prompt_override !== null,
    platform_agent_id: doc.platform_agent_id,
    metadata: doc.metadata ?? {},
    extraction: doc.extraction_overrides ?? null,
    operation_id: doc.provision_operation_id,
    last_operation_id: doc.last_operation_id,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
    activated_at: doc.activated_at ? doc.activated_at.toISOString() : null,
  };
}

export function toPromptVersionView(doc: PromptVersionDoc, current: number | null): PromptVersionView {
  return {
    object: 'prompt_version',
    id: doc._id,
    agent_id: doc.agent_id,
    version: doc.version,
    is_current: doc.version === current,
    source: doc.source,
    generator: doc.generator,
    rolled_back_from: doc.rolled_back_from,
    system_prompt: doc.system_prompt,
    first_message: doc.first_message,
    knowledge_base: doc.knowledge_base,
    created_at: doc.created_at.toISOString(),
  };
}
