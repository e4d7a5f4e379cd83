import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { check, ContractFakeServer, ContractViolation, E164, expectJson, expectNoBody, expectQuery, FakeReply, RecordedRequest } from './fake-server';

/**
 * Retell's API as its reference documents it (docs.retellai.com/api-references; SDK
 * github.com/RetellAI/retell-typescript-sdk): Bearer auth, errors `{status: "error", message}`,
 * creates answer 201, deletes 204, create-knowledge-base is multipart with `knowledge_base_texts`
 * as a JSON-encoded array, voice agents are listed with POST /v2/list-agents.
 */

export interface FakeRetellLlm {
  llm_id: string;
  version: number;
  general_prompt?: string | null;
  begin_message?: string | null;
  knowledge_base_ids: string[];
  default_dynamic_variables?: Record<string, string> | null;
  last_modification_timestamp: number;
}
export interface FakeRetellAgent {
  agent_id: string;
  version: number;
  agent_name?: string | null;
  voice_id: string;
  language?: string;
  response_engine: { type: 'retell-llm'; llm_id: string; version?: number };
  webhook_url?: string | null;
  webhook_events?: string[];
  last_modification_timestamp: number;
}
export interface FakeRetellKnowledgeBase {
  knowledge_base_id: string;
  knowledge_base_name: string;
  status: 'in_progress' | 'complete';
  texts: { title: string; text: string }[];
}
export interface FakeRetellPhoneNumber {
  phone_number: string;
  phone_number_type: 'custom';
  termination_uri: string;
  nickname?: string;
  inbound_agents: { agent_id: string; weight: number }[];
  last_modification_timestamp: number;
}

const LANGUAGES = [
  'en-US', 'en-IN', 'en-GB', 'en-AU', 'en-NZ', 'de-DE', 'es-ES', 'es-419', 'hi-IN', 'fr-FR', 'fr-CA', 'ja-JP', 'pt-PT', 'pt-BR', 'zh-CN',
  'ru-RU', 'it-IT', 'ko-KR', 'nl-NL', 'nl-BE', 'pl-PL', 'tr-TR', 'vi-VN', 'ro-RO', 'bg-BG', 'ca-ES', 'th-TH', 'da-DK', 'fi-FI', 'el-GR',
  'hu-HU', 'id-ID', 'no-NO', 'sk-SK', 'sv-SE', 'lt-LT', 'lv-LV', 'cs-CZ', 'ms-MY', 'af-ZA', 'ar-SA', 'az-AZ', 'bs-BA', 'cy-GB', 'fa-IR',
  'fil-PH', 'gl-ES', 'he-IL', 'hr-HR', 'hy-AM', 'is-IS', 'kk-KZ', 'kn-IN', 'mk-MK', 'mr-IN', 'ne-NP', 'sl-SI', 'sr-RS', 'sw-KE', 'ta-IN',
  'ur-IN', 'yue-CN', 'uk-UA', 'multi',
] as const;

const llmFields = {
  general_prompt: z.string().nullable().optional(),
  begin_message: z.string().nullable().optional(),
  knowledge_base_ids: z.array(z.string()).nullable().optional(),
  default_dynamic_variables: z.record(z.string(), z.string()).nullable().optional(),
  model: z.string().nullable().optional(),
  start_speaker: z.enum(['user', 'agent']).optional(),
};
const createLlmBody = z.strictObject(llmFields);
const updateLlmBody = z.strictObject(llmFields);
const responseEngine = z.strictObject({ type: z.literal('retell-llm'), llm_id: z.string().min(1), version: z.number().int().optional() });
/** webhook_events as create-agent documents them. */
export const RETELL_WEBHOOK_EVENT_TYPES = [
  'call_started', 'call_ended', 'call_analyzed', 'transcript_updated', 'transfer_started', 'transfer_bridged', 'transfer_cancelled', 'transfer_ended',
] as const;
const agentFields = {
  agent_name: z.string().nullable().optional(),
  webhook_url: z.string().url().nullable().optional(),
  webhook_events: z.array(z.enum(RETELL_WEBHOOK_EVENT_TYPES)).optional(),
  voice_id: z.string().min(1),
  language: z.enum(LANGUAGES).optional(),
  response_engine: responseEngine,
};
const createAgentBody = z.strictObject(agentFields);
const updateAgentBody = z.strictObject({ ...agentFields, voice_id: agentFields.voice_id.optional(), response_engine: responseEngine.optional() });
const listAgentsBody = z.strictObject({
  filter_criteria: z
    .strictObject({
      query: z.string().optional(),
      channel: z.strictObject({ op: z.enum(['eq', 'ne', 'sw', 'ew', 'co']), type: z.literal('string'), value: z.enum(['voice', 'chat']) }).optional(),
    })
    .optional(),
});
const inboundAgents = z
  .array(z.strictObject({ agent_id: z.string().min(1), weight: z.number().positive().max(1), agent_version: z.union([z.string(), z.number()]).optional() }))
  .refine((agents) => agents.length === 0 || Math.abs(agents.reduce((sum, a) => sum + a.weight, 0) - 1) < 1e-9, 'weights must add up to 1');
const importPhoneBody = z.strictObject({
  phone_number: z.string().regex(E164, 'E.164'),
  termination_uri: z.string().min(1),
  inbound_agents: inboundAgents.nullable().optional(),
  nickname: z.string().optional(),
  sip_trunk_auth_username: z.string().optional(),
  sip_trunk_auth_password: z.string().optional(),
  transport: z.string().nullable().optional(),
});
const updatePhoneBody = z.strictObject({ inbound_agents: inboundAgents.nullable().optional(), nickname: z.string().nullable().optional() });
const knowledgeTexts = z.array(z.strictObject({ title: z.string().min(1), text: z.string().min(1) })).min(1);
const limit = z.coerce.number().int().min(1).max(1000);
/** CallCreatePhoneCallParams (retell-typescript-sdk). */
const createPhoneCallBody = z.strictObject({
  from_number: z.string().regex(E164, 'E.164'),
  to_number: z.string().regex(E164, 'E.164'),
  agent_override: z.record(z.string(), z.unknown()).optional(),
  custom_sip_headers: z.record(z.string(), z.string()).optional(),
  ignore_e164_validation: z.boolean().optional(),
  metadata: z.unknown().optional(),
  override_agent_id: z.string().min(1).optional(),
  override_agent_version: z.union([z.string(), z.number()]).optional(),
  retell_llm_dynamic_variables: z.record(z.string(), z.string()).optional(),
});
/** CallListParams.FilterCriteria StringFilter (the metadata filter we use). */
const stringFilter = z.strictObject({ op: z.enum(['eq', 'ne', 'sw', 'ew', 'co']), type: z.literal('string'), value: z.string(), key: z.string().optional() });
/** CallListParams: the filters we may send are checked, other documented ones accepted and ignored. */
const listCallsBody = z.strictObject({
  filter_criteria: z
    .object({
      agent: z.array(z.strictObject({ agent_id: z.string().min(1), version: z.array(z.number().int()).optional() })).optional(),
      metadata: z.array(stringFilter.extend({ key: z.string().min(1) })).optional(),
    })
    .passthrough()
    .optional(),
  include_total: z.boolean().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  pagination_key: z.string().optional(),
  skip: z.number().int().min(0).optional(),
  sort_order: z.enum(['ascending', 'descending']).optional(),
});

function matchesString(filter: z.infer<typeof stringFilter>, actual: unknown): boolean {
  if (typeof actual !== 'string') return filter.op === 'ne';
  switch (filter.op) {
    case 'eq':
      return actual === filter.value;
    case 'ne':
      return actual !== filter.value;
    case 'sw':
      return actual.startsWith(filter.value);
    case 'ew':
      return actual.endsWith(filter.value);
    case 'co':
      return actual.includes(filter.value);
  }
}

function error(status: number, message: string): FakeReply {
  return { status, body: { status: 'error', message } };
}

export class RetellFake {
  readonly llms = new Map<string, FakeRetellLlm>();
  readonly agents = new Map<string, FakeRetellAgent>();
  readonly knowledgeBases = new Map<string, FakeRetellKnowledgeBase>();
  readonly phoneNumbers = new Map<string, FakeRetellPhoneNumber>();
  /** Calls as GET /v2/get-call/{call_id} answers them; tests put recorded calls here. */
  readonly calls = new Map<string, Record<string, unknown>>();
  /** IDs of the calls create-phone-call placed, oldest first (the calls themselves are in `calls`). */
  readonly placedCallIds: string[] = [];
  readonly server: ContractFakeServer;

  constructor(readonly apiKey = `key_${randomBytes(12).toString('hex')}`) {
    this.server = new ContractFakeServer(
      [
        { method: 'POST', path: /^\/create-knowledge-base$/, handle: (req) => this.createKnowledgeBase(req) },
        { method: 'GET', path: /^\/list-knowledge-bases$/, handle: (req) => this.listKnowledgeBases(req) },
        { method: 'GET', path: /^\/get-knowledge-base\/([^/]+)$/, handle: (req, [id]) => this.getKnowledgeBase(req, id!) },
        { method: 'DELETE', path: /^\/delete-knowledge-base\/([^/]+)$/, handle: (req, [id]) => this.deleteKnowledgeBase(req, id!) },
        { method: 'POST', path: /^\/create-retell-llm$/, handle: (req) => this.createLlm(req) },
        { method: 'GET', path: /^\/v2\/list-retell-llms$/, handle: (req) => this.listLlms(req) },
        { method: 'GET', path: /^\/get-retell-llm\/([^/]+)$/, handle: (req, [id]) => this.getLlm(req, id!) },
        { method: 'PATCH', path: /^\/update-retell-llm\/([^/]+)$/, handle: (req, [id]) => this.updateLlm(req, id!) },
        { method: 'DELETE', path: /^\/delete-retell-llm\/([^/]+)$/, handle: (req, [id]) => this.deleteLlm(req, id!) },
        { method: 'POST', path: /^\/create-agent$/, handle: (req) => this.createAgent(req) },
        { method: 'POST', path: /^\/v2\/list-agents$/, handle: (req) => this.listAgents(req) },
        { method: 'GET', path: /^\/get-agent\/([^/]+)$/, handle: (req, [id]) => this.getAgent(req, id!) },
        { method: 'PATCH', path: /^\/update-agent\/([^/]+)$/, handle: (req, [id]) => this.updateAgent(req, id!) },
        { method: 'DELETE', path: /^\/delete-agent\/([^/]+)$/, handle: (req, [id]) => this.deleteAgent(req, id!) },
        { method: 'GET', path: /^\/v2\/get-call\/([^/]+)$/, handle: (req, [id]) => this.getCall(req, id!) },
        { method: 'POST', path: /^\/v2\/create-phone-call$/, handle: (req) => this.createPhoneCall(req) },
        { method: 'POST', path: /^\/v3\/list-calls$/, handle: (req) => this.listCalls(req) },
        { method: 'GET', path: /^\/get-phone-number\/([^/]+)$/, handle: (req, [n]) => this.getPhoneNumber(req, n!) },
        { method: 'POST', path: /^\/import-phone-number$/, handle: (req) => this.importPhoneNumber(req) },
        { method: 'PATCH', path: /^\/update-phone-number\/([^/]+)$/, handle: (req, [n]) => this.updatePhoneNumber(req, n!) },
      ],
      {
        authenticate: (req) => (req.headers.authorization === `Bearer ${this.apiKey}` ? null : error(401, 'API key is missing or invalid.')),
        violation: (message) => error(400, message),
        noRoute: () => error(404, 'Not Found'),
      },
    );
  }

  start(): Promise<string> {
    return this.server.start();
  }
  stop(): Promise<void> {
    return this.server.stop();
  }

  private id(prefix: string): string {
    return `${prefix}_${randomBytes(12).toString('hex')}`;
  }

  private createKnowledgeBase(req: RecordedRequest): FakeReply {
    const form = req.multipart;
    if (!form) throw new ContractViolation(`content-type must be multipart/form-data, got "${req.headers['content-type'] ?? ''}"`);
    for (const key of form.keys()) {
      if (!['knowledge_base_name', 'knowledge_base_texts', 'knowledge_base_files', 'knowledge_base_urls', 'enable_auto_refresh'].includes(key)) {
        throw new ContractViolation(`unknown field "${key}"`);
      }
    }
    const name = form.get('knowledge_base_name');
    if (typeof name !== 'string' || name.length === 0 || name.length >= 40) {
      throw new ContractViolation('knowledge_base_name is required and must be less than 40 characters');
    }
    const rawTexts = form.get('knowledge_base_texts');
    let texts: { title: string; text: string }[] = [];
    if (rawTexts !== null) {
      if (typeof rawTexts !== 'string') throw new ContractViolation('knowledge_base_texts must be a JSON string');
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawTexts);
      } catch {
        throw new ContractViolation('knowledge_base_texts is not valid JSON');
      }
      texts = check(knowledgeTexts, parsed);
    }
    const kb: FakeRetellKnowledgeBase = { knowledge_base_id: this.id('knowledge_base'), knowledge_base_name: name, status: 'in_progress', texts };
    this.knowledgeBases.set(kb.knowledge_base_id, kb);
    return { status: 201, body: { knowledge_base_id: kb.knowledge_base_id, knowledge_base_name: kb.knowledge_base_name, status: kb.status } };
  }

  /**
   * Retell indexes a new base asynchronously: it is `in_progress` until this many reads of it
   * (get-knowledge-base) have happened, then `complete`. 0 (the default) completes on the first read.
   */
  indexingReads = 0;
  private readonly reads = new Map<string, number>();

  private getKnowledgeBase(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    expectQuery(req, []);
    const kb = this.knowledgeBases.get(id);
    if (!kb) return error(404, 'Knowledge base not found');
    const reads = (this.reads.get(id) ?? 0) + 1;
    this.reads.set(id, reads);
    if (kb.status === 'in_progress' && reads > this.indexingReads) kb.status = 'complete';
    return { status: 200, body: { knowledge_base_id: kb.knowledge_base_id, knowledge_base_name: kb.knowledge_base_name, status: kb.status, knowledge_base_sources: [] } };
  }

  /** What the agent's LLM answers from now: the texts of the knowledge bases it references. */
  servedTexts(agentId: string): { title: string; text: string }[] {
    const agent = this.agents.get(agentId);
    const llm = agent ? this.llms.get(agent.response_engine.llm_id) : undefined;
    return (llm?.knowledge_base_ids ?? []).flatMap((id) => this.knowledgeBases.get(id)?.texts ?? []);
  }

  private listKnowledgeBases(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    expectQuery(req, []);
    const body = [...this.knowledgeBases.values()].map((kb) => ({ knowledge_base_id: kb.knowledge_base_id, knowledge_base_name: kb.knowledge_base_name, status: kb.status }));
    return { status: 200, body };
  }

  private deleteKnowledgeBase(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    if (!this.knowledgeBases.delete(id)) return error(404, 'Knowledge base not found');
    return { status: 204 };
  }

  private checkKnowledgeIds(ids: string[] | null | undefined): void {
    for (const id of ids ?? []) if (!this.knowledgeBases.has(id)) throw new ContractViolation(`knowledge base ${id} does not exist`);
  }

  private createLlm(req: RecordedRequest): FakeReply {
    const body = expectJson(req, createLlmBody);
    this.checkKnowledgeIds(body.knowledge_base_ids);
    const llm: FakeRetellLlm = {
      llm_id: this.id('llm'),
      version: 0,
      general_prompt: body.general_prompt,
      begin_message: body.begin_message,
      knowledge_base_ids: body.knowledge_base_ids ?? [],
      default_dynamic_variables: body.default_dynamic_variables,
      last_modification_timestamp: Date.now(),
    };
    this.llms.set(llm.llm_id, llm);
    return { status: 201, body: llm };
  }

  private listLlms(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    expectQuery(req, ['limit', 'pagination_key', 'sort_order']);
    const max = req.query.has('limit') ? check(limit, req.query.get('limit')) : 50;
    const order = req.query.get('sort_order') ?? 'descending';
    if (order !== 'ascending' && order !== 'descending') throw new ContractViolation('sort_order must be ascending or descending');
    const all = [...this.llms.values()];
    const items = (order === 'descending' ? all.reverse() : all).slice(0, max);
    return { status: 200, body: { items, has_more: all.length > max } };
  }

  private getLlm(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    const llm = this.llms.get(id);
    return llm ? { status: 200, body: llm } : error(404, 'LLM not found');
  }

  private updateLlm(req: RecordedRequest, id: string): FakeReply {
    const body = expectJson(req, updateLlmBody);
    const llm = this.llms.get(id);
    if (!llm) return error(404, 'LLM not found');
    this.checkKnowledgeIds(body.knowledge_base_ids);
    Object.assign(llm, body, { knowledge_base_ids: body.knowledge_base_ids ?? llm.knowledge_base_ids, last_modification_timestamp: Date.now() });
    return { status: 200, body: llm };
  }

  private deleteLlm(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    if (!this.llms.has(id)) return error(404, 'LLM not found');
    if ([...this.agents.values()].some((a) => a.response_engine.llm_id === id)) return error(400, 'LLM is used by an agent');
    this.llms.delete(id);
    return { status: 204 };
  }

  private createAgent(req: RecordedRequest): FakeReply {
    const body = expectJson(req, createAgentBody);
    if (!this.llms.has(body.response_engine.llm_id)) throw new ContractViolation(`llm ${body.response_engine.llm_id} does not exist`);
    const agent: FakeRetellAgent = { ...body, agent_id: this.id('agent'), version: 0, last_modification_timestamp: Date.now() };
    this.agents.set(agent.agent_id, agent);
    return { status: 201, body: agent };
  }

  private listAgents(req: RecordedRequest): FakeReply {
    expectQuery(req, ['limit', 'pagination_key', 'sort_order']);
    const max = req.query.has('limit') ? check(limit, req.query.get('limit')) : 50;
    const body = req.rawBody.length > 0 ? expectJson(req, listAgentsBody) : {};
    // "Case-insensitive substring search over agent name, plus substring search over agent id."
    const query = body.filter_criteria?.query?.toLowerCase() ?? '';
    const items = [...this.agents.values()]
      .filter((a) => (a.agent_name ?? '').toLowerCase().includes(query) || a.agent_id.includes(query))
      .slice(0, max)
      .map((a) => ({ agent_id: a.agent_id, agent_name: a.agent_name ?? '', channel: 'voice', tags: {}, user_modified_timestamp: a.last_modification_timestamp }));
    return { status: 200, body: { items, has_more: false } };
  }

  private getAgent(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    const agent = this.agents.get(id);
    return agent ? { status: 200, body: agent } : error(404, 'Agent not found');
  }

  private updateAgent(req: RecordedRequest, id: string): FakeReply {
    const body = expectJson(req, updateAgentBody);
    const agent = this.agents.get(id);
    if (!agent) return error(404, 'Agent not found');
    Object.assign(agent, body, { last_modification_timestamp: Date.now() });
    return { status: 200, body: agent };
  }

  private deleteAgent(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    if (!this.agents.delete(id)) return error(404, 'Agent not found');
    return { status: 204 };
  }

  private getCall(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    expectQuery(req, []);
    const call = this.calls.get(id);
    return call ? { status: 200, body: call } : error(404, 'Call not found');
  }

  private createPhoneCall(req: RecordedRequest): FakeReply {
    const body = expectJson(req, createPhoneCallBody);
    // "The number you own ... Must be a number purchased from Retell or imported to Retell."
    if (!this.phoneNumbers.has(body.from_number)) return error(404, `from_number ${body.from_number} not found`);
    const agentId = body.override_agent_id;
    if (!agentId) return error(400, 'from_number has no outbound agent and no override_agent_id was given');
    const agent = this.agents.get(agentId);
    if (!agent) return error(404, 'Agent not found');
    const call = {
      call_type: 'phone_call',
      call_id: randomBytes(16).toString('hex'),
      agent_id: agentId,
      agent_version: agent.version,
      call_status: 'registered',
      direction: 'outbound',
      from_number: body.from_number,
      to_number: body.to_number,
      metadata: body.metadata ?? {},
      retell_llm_dynamic_variables: body.retell_llm_dynamic_variables ?? {},
    };
    this.calls.set(call.call_id, call);
    this.placedCallIds.push(call.call_id);
    return { status: 201, body: call };
  }

  /** POST /v3/list-calls: agent filters OR'd, metadata filters AND'd, newest first. */
  private listCalls(req: RecordedRequest): FakeReply {
    expectQuery(req, []);
    const body = req.rawBody.length > 0 ? expectJson(req, listCallsBody) : {};
    const agents = body.filter_criteria?.agent;
    const metadata = body.filter_criteria?.metadata ?? [];
    const all = [...this.calls.values()].reverse();
    const items = all.filter((c) => {
      if (agents && !agents.some((a) => a.agent_id === c.agent_id)) return false;
      const meta = (c.metadata ?? {}) as Record<string, unknown>;
      return metadata.every((f) => matchesString(f, meta[f.key]));
    });
    const max = body.limit ?? 50;
    return { status: 200, body: { items: items.slice(0, max), has_more: items.length > max } };
  }

  private getPhoneNumber(req: RecordedRequest, number: string): FakeReply {
    expectNoBody(req);
    const phone = this.phoneNumbers.get(number);
    return phone ? { status: 200, body: phone } : error(404, 'Phone number not found');
  }

  private checkAgents(agents: { agent_id: string }[] | null | undefined): void {
    for (const a of agents ?? []) if (!this.agents.has(a.agent_id)) throw new ContractViolation(`agent ${a.agent_id} does not exist`);
  }

  private importPhoneNumber(req: RecordedRequest): FakeReply {
    const body = expectJson(req, importPhoneBody);
    if (this.phoneNumbers.has(body.phone_number)) return error(409, 'Phone number already exists');
    this.checkAgents(body.inbound_agents);
    const phone: FakeRetellPhoneNumber = {
      phone_number: body.phone_number,
      phone_number_type: 'custom',
      termination_uri: body.termination_uri,
      nickname: body.nickname,
      inbound_agents: body.inbound_agents ?? [],
      last_modification_timestamp: Date.now(),
    };
    this.phoneNumbers.set(phone.phone_number, phone);
    return { status: 201, body: phone };
  }

  private updatePhoneNumber(req: RecordedRequest, number: string): FakeReply {
    const body = expectJson(req, updatePhoneBody);
    const phone = this.phoneNumbers.get(number);
    if (!phone) return error(404, 'Phone number not found');
    this.checkAgents(body.inbound_agents);
    if (body.inbound_agents !== undefined) phone.inbound_agents = body.inbound_agents ?? [];
    if (body.nickname !== undefined) phone.nickname = body.nickname ?? undefined;
    phone.last_modification_timestamp = Date.now();
    return { status: 200, body: phone };
  }
}
