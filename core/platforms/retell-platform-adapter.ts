import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PlatformCall } from '../calls/call-types';
import { normaliseRetellCall, RETELL_CALL_ID_KEY, retellCall } from '../calls/notifications/retell-notifications';
import {
  AgentDeployment,
  DeployedAgent,
  KnowledgeDocument,
  OutboundCallRequest,
  PhoneAttachment,
  PlacedCall,
  PlatformAdapter,
  PlatformCredentials,
  PlatformError,
} from './platform-adapter';
import { encodeSegment, ignoredBody, ProviderHttp } from './provider-http';

/*
 * Retell client, written to the public API reference (https://docs.retellai.com/api-references:
 * Create/Update/Delete/List Retell LLM, Create/Get/Update/Delete Agent, List Voice Agents,
 * Create/List/Delete Knowledge Base, Get/Import/Update Phone Number) and the official SDK generated
 * from it (github.com/RetellAI/retell-typescript-sdk, api.md). Auth: `Authorization: Bearer <key>`.
 *   POST   /create-knowledge-base   multipart: knowledge_base_name (< 40 chars),
 *                                  knowledge_base_texts = JSON [{title, text}] -> 201 {knowledge_base_id, knowledge_base_name, status}
 *   GET    /list-knowledge-bases    -> [{knowledge_base_id, knowledge_base_name, status}]
 *   GET    /get-knowledge-base/{knowledge_base_id} -> {knowledge_base_id, status: in_progress | complete | error}
 *   DELETE /delete-knowledge-base/{knowledge_base_id}
 *   POST   /create-retell-llm       {general_prompt, begin_message, knowledge_base_ids, default_dynamic_variables} -> 201 {llm_id}
 *   GET    /v2/list-retell-llms     ?limit&sort_order -> {items: [{llm_id, default_dynamic_variables}], has_more, pagination_key}
 *   PATCH  /update-retell-llm/{llm_id}
 *   DELETE /delete-retell-llm/{llm_id}
 *   POST   /create-agent            {response_engine: {type: "retell-llm", llm_id}, voice_id, language, agent_name} -> 201 {agent_id}
 *   POST   /v2/list-agents          ?limit, body {filter_criteria: {query}} (substring of agent_name) -> {items: [{agent_id, agent_name}]}
 *   GET    /get-agent/{agent_id}    -> {agent_id, response_engine}
 *   PATCH  /update-agent/{agent_id} (updates the latest draft version)
 *   DELETE /delete-agent/{agent_id}
 *   GET    /get-phone-number/{phone_number}
 *   POST   /import-phone-number     {phone_number, termination_uri, inbound_agents: [{agent_id, weight}], nickname}
 *   PATCH  /update-phone-number/{phone_number} {inbound_agents: [{agent_id, weight}]}
 *   GET    /v2/get-call/{call_id} -> call object (https://docs.retellai.com/api-references/get-call)
 *   POST   /v2/create-phone-call  {from_number, to_number, override_agent_id, retell_llm_dynamic_variables, metadata}
 *                                  -> 201 {call_id, ...} (https://docs.retellai.com/api-references/create-phone-call;
 *                                  retell-typescript-sdk call.createPhoneCall, CallCreatePhoneCallParams)
 *   POST   /v3/list-calls         {filter_criteria: {agent: [{agent_id}], metadata: [{key, op: "eq", type: "string", value}]}, limit}
 *                                  -> {items: [{call_id}], has_more, pagination_key} (https://docs.retellai.com/api-references/list-calls;
 *                                  retell-typescript-sdk call.list, CallListParams)
 * Outbound calls dial from the E.164 itself (Retell names numbers by E.164, no number ID); the
 * number must have been imported (attachPhoneNumber). create-phone-call takes no idempotency key;
 * our call ID goes into the call's `metadata` ("for storage purpose only"), and a retry first
 * lists the agent's calls filtered on that metadata key and returns the match rather than dialling
 * again. A call created but not yet listed when the retry looks is the window that remains.
 * Call events go to the agent's `webhook_url` for `webhook_events` (create/update-agent; webhooks
 * are signed with the account's API key, so there is no secret to send).
 * `inbound_agent_id` on phone numbers is deprecated (Retell notice 2026-03-31) in favour of `inbound_agents`.
 */

export const RETELL_BASE_URL = 'https://api.retellai.com';
/** Retell's sample voice in its API reference; voice_id is required on create. */
const DEFAULT_VOICE_ID = 'retell-Cimo';
const KNOWLEDGE_BASE_NAME_MAX = 39;
const DEDUPE_VARIABLE = 'wfw_dedupe_token';
const LIST_LIMIT = 100;
/** An orphan LLM from a crashed attempt is among the newest; a few pages cover any realistic retry. */
const LLM_PAGES = 3;
/** Status checks of a new knowledge base before the swap gives up for now (250 ms doubling: about 8 s). */
const INDEX_POLLS = 5;

/** The `language` values create-agent accepts, in the reference's order (the first of each language is its default region). */
const RETELL_LANGUAGES = (
  'en-US en-IN en-GB en-AU en-NZ de-DE es-ES es-419 hi-IN fr-FR fr-CA ja-JP pt-PT pt-BR zh-CN ru-RU it-IT ko-KR nl-NL nl-BE ' +
  'pl-PL tr-TR vi-VN ro-RO bg-BG ca-ES th-TH da-DK fi-FI el-GR hu-HU id-ID no-NO sk-SK sv-SE lt-LT lv-LV cs-CZ ms-MY af-ZA ' +
  'ar-SA az-AZ bs-BA cy-GB fa-IR fil-PH gl-ES he-IL hr-HR hy-AM is-IS kk-KZ kn-IN mk-MK mr-IN ne-NP sl-SI sr-RS sw-KE ta-IN ' +
  'ur-IN yue-CN uk-UA'
).split(' ');

/** Retell wants a region ("en-US"); a bare language takes its first listed region, anything unknown is "multi". */
export function retellLanguage(tag: string): string {
  const exact = RETELL_LANGUAGES.find((l) => l.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const primary = tag.split('-')[0]!.toLowerCase();
  return RETELL_LANGUAGES.find((l) => l.split('-')[0] === primary) ?? 'multi';
}

const knowledgeBase = z.object({
  knowledge_base_id: z.string(),
  knowledge_base_name: z.string(),
  // in_progress, complete, error, refreshing_in_progress (an indexed base being refreshed): a string, so a new status does not break parsing.
  status: z.string().nullish(),
});
const knowledgeBases = z.array(knowledgeBase);
const llm = z.object({
  llm_id: z.string(),
  knowledge_base_ids: z.array(z.string()).nullish(),
  default_dynamic_variables: z.record(z.string(), z.string()).nullish(),
});
const llmPage = z.object({ items: z.array(llm).nullish(), has_more: z.boolean().nullish(), pagination_key: z.string().nullish() });
const agent = z.object({ agent_id: z.string(), response_engine: z.object({ type: z.string(), llm_id: z.string().nullish() }) });
const agentPage = z.object({ items: z.array(z.object({ agent_id: z.string(), agent_name: z.string().nullish() })).nullish() });
const phoneNumber = z.object({ phone_number: z.string(), inbound_agents: z.array(z.object({ agent_id: z.string() })).nullish() });
const createdCall = z.object({ call_id: z.string() });
const callPage = z.object({ items: z.array(z.object({ call_id: z.string() })).nullish() });
/** Our call ID in a Retell call's metadata (defined with the reader, which reads it back). */
export { RETELL_CALL_ID_KEY };

function nameMarker(token: string): string {
  return `[wfw ${token}]`;
}
function agentName(deployment: AgentDeployment): string {
  return `${deployment.name} ${nameMarker(deployment.dedupe_token)}`;
}
/**
 * One knowledge base per operation and content: `wfw-<token hash>-<content hash>` (33 characters,
 * under Retell's 40). The content hash makes an edited knowledge base a new one, so a sync never
 * finds the previous version's base and keeps serving it; the token hash, a fixed prefix, lets us
 * find every base of the operation (old versions, a failed sync's leftovers) to clean up.
 */
function knowledgeBasePrefix(token: string): string {
  return `wfw-${createHash('sha256').update(token).digest('hex').slice(0, 12)}-`;
}
function knowledgeBaseName(token: string, documents: readonly KnowledgeDocument[]): string {
  const content = createHash('sha256')
    .update(JSON.stringify(documents.map((d) => [d.title, d.content])))
    .digest('hex')
    .slice(0, 16);
  return `${knowledgeBasePrefix(token)}${content}`;
}
/** The name bases had before content hashes (one per operation); still ours to find and remove. */
function legacyKnowledgeBaseName(token: string): string {
  const plain = `wfw-${token}`;
  return plain.length <= KNOWLEDGE_BASE_NAME_MAX ? plain : `wfw-${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
}
function isOperationKnowledgeBase(token: string, name: string): boolean {
  return name.startsWith(knowledgeBasePrefix(token)) || name === legacyKnowledgeBaseName(token);
}

/** The events our notification reader turns into call starts and ends. */
export const RETELL_WEBHOOK_EVENTS = ['call_started', 'call_ended', 'call_analyzed'] as const;

function webhookFields(deployment: AgentDeployment): Record<string, unknown> {
  if (!deployment.notifications) return {};
  return { webhook_url: deployment.notifications.url, webhook_events: [...RETELL_WEBHOOK_EVENTS] };
}

export class RetellPlatformAdapter implements PlatformAdapter {
  readonly name = 'retell' as const;

  /** indexPollMs: the first wait between status checks of a new knowledge base (doubling); tests shorten it. */
  constructor(private readonly options: { timeoutMs?: number; indexPollMs?: number } = {}) {}

  /**
   * The agent by the token in its name, with the operation's knowledge bases (named by the token);
   * deleting the agent also deletes its LLM. Not found: an LLM or knowledge base an attempt made
   * before it crashed ahead of create-agent (no agent to hang them on) is left for the next
   * create with the same token to reuse, not removed here.
   */
  async findAgentByDedupeToken(credentials: PlatformCredentials, dedupeToken: string): Promise<DeployedAgent | null> {
    const http = this.http(credentials);
    const agentId = await this.findAgent(http, dedupeToken);
    if (!agentId) return null;
    const bases = await http.send({ method: 'GET', path: '/list-knowledge-bases' }, knowledgeBases);
    const ours = bases.filter((kb) => isOperationKnowledgeBase(dedupeToken, kb.knowledge_base_name));
    return this.deployed(agentId, ours.map((kb) => kb.knowledge_base_id));
  }

  async createAgent(credentials: PlatformCredentials, deployment: AgentDeployment): Promise<DeployedAgent> {
    const http = this.http(credentials);
    const existingAgent = await this.findAgent(http, deployment.dedupe_token);
    const knowledge = await this.ensureKnowledgeBase(http, deployment, !existingAgent);
    const knowledgeIds = knowledge.current ? [knowledge.current] : [];
    if (existingAgent) return this.deployed(existingAgent, knowledgeIds);

    const llmId = (await this.findLlm(http, deployment.dedupe_token)) ?? (await this.createLlm(http, deployment, knowledgeIds));
    const created = await http.send(
      {
        method: 'POST',
        path: '/create-agent',
        body: {
          json: {
            response_engine: { type: 'retell-llm', llm_id: llmId },
            voice_id: deployment.voice ?? DEFAULT_VOICE_ID,
            language: retellLanguage(deployment.language),
            agent_name: agentName(deployment),
            ...webhookFields(deployment),
          },
        },
      },
      agent,
    );
    return this.deployed(created.agent_id, knowledgeIds);
  }

  /**
   * The swap: a knowledge base for the new content is created (or found, on a retry), the agent's
   * voice settings are updated, and then one update-retell-llm points the LLM at the new base.
   * Only after that are the operation's other bases deleted. A failure before the LLM update leaves
   * the LLM on its old base, which still exists.
   */
  async updateAgent(credentials: PlatformCredentials, platformAgentId: string, deployment: AgentDeployment): Promise<DeployedAgent> {
    const http = this.http(credentials);
    const current = await http.sendOrNull({ method: 'GET', path: `/get-agent/${encodeSegment(platformAgentId)}` }, agent);
    if (!current) throw new PlatformError('retell', 'not_found', `retell agent ${platformAgentId} does not exist`, false, 404);
    const llmId = current.response_engine.llm_id;
    if (current.response_engine.type !== 'retell-llm' || !llmId) {
      throw new PlatformError('retell', 'invalid_request', `retell agent ${platformAgentId} does not use a Retell LLM`, false);
    }
    const before = await http.send({ method: 'GET', path: `/get-retell-llm/${encodeSegment(llmId)}` }, llm);
    const knowledge = await this.ensureKnowledgeBase(http, deployment, true);
    if (knowledge.current) await this.awaitIndexed(http, knowledge.current);
    const knowledgeIds = knowledge.current ? [knowledge.current] : [];
    await http.send(
      {
        method: 'PATCH',
        path: `/update-agent/${encodeSegment(platformAgentId)}`,
        body: {
          json: {
            voice_id: deployment.voice ?? DEFAULT_VOICE_ID,
            language: retellLanguage(deployment.language),
            agent_name: agentName(deployment),
            ...webhookFields(deployment),
          },
        },
      },
      agent,
    );
    await http.send(
      {
        method: 'PATCH',
        path: `/update-retell-llm/${encodeSegment(llmId)}`,
        body: { json: { general_prompt: deployment.system_prompt, begin_message: deployment.first_message, knowledge_base_ids: knowledgeIds } },
      },
      llm,
    );
    // Bases that we made and the LLM no longer uses, and this operation's bases a failed sync left
    // unattached; anything else on the account is left alone.
    const stale = new Set<string>();
    const ours = new Set(knowledge.all.filter((kb) => kb.knowledge_base_name.startsWith('wfw-')).map((kb) => kb.knowledge_base_id));
    for (const id of before.knowledge_base_ids ?? []) if (ours.has(id)) stale.add(id);
    for (const kb of knowledge.all) if (isOperationKnowledgeBase(deployment.dedupe_token, kb.knowledge_base_name)) stale.add(kb.knowledge_base_id);
    for (const id of stale) {
      if (id === knowledge.current) continue;
      try {
        await this.deleteKnowledgeBase(http, id);
      } catch {
        // The new base is already serving; one left behind carries the prefix and goes with the next sync.
      }
    }
    return this.deployed(platformAgentId, knowledgeIds);
  }

  /**
   * Retell indexes a new base asynchronously (status in_progress, then complete). Swapping the LLM
   * to a base still indexing would leave callers without answers meanwhile, so the swap waits a
   * little, then gives up retryably: the activity's next attempt finds the same base by name.
   */
  private async awaitIndexed(http: ProviderHttp, id: string): Promise<void> {
    let waitMs = this.options.indexPollMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      const base = await http.send({ method: 'GET', path: `/get-knowledge-base/${encodeSegment(id)}` }, knowledgeBase);
      if (base.status !== 'in_progress' && base.status !== 'error') return;
      if (base.status === 'error') {
        // Deleted so that a later sync of the same content makes a fresh base rather than finding this one.
        await this.deleteKnowledgeBase(http, id);
        throw new PlatformError('retell', 'invalid_request', `retell could not index knowledge base ${id}`, false);
      }
      if (attempt >= INDEX_POLLS) {
        throw new PlatformError('retell', 'unavailable', `retell knowledge base ${id} is still being indexed`, true);
      }
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      waitMs *= 2;
    }
  }

  async deleteAgent(credentials: PlatformCredentials, deployed: DeployedAgent): Promise<void> {
    const http = this.http(credentials);
    const id = encodeSegment(deployed.platform_agent_id);
    const current = await http.sendOrNull({ method: 'GET', path: `/get-agent/${id}` }, agent);
    await http.sendOrNull({ method: 'DELETE', path: `/delete-agent/${id}` }, ignoredBody);
    // The LLM is only reachable through the agent; it goes after the agent, which still uses it.
    const llmId = current?.response_engine.type === 'retell-llm' ? current.response_engine.llm_id : null;
    if (llmId) await http.sendOrNull({ method: 'DELETE', path: `/delete-retell-llm/${encodeSegment(llmId)}` }, ignoredBody);
    for (const kb of deployed.knowledge_base_ids) await this.deleteKnowledgeBase(http, kb);
  }

  async attachPhoneNumber(credentials: PlatformCredentials, platformAgentId: string, phone: PhoneAttachment): Promise<void> {
    if (phone.telephony === 'local') {
      throw new PlatformError('retell', 'invalid_request', 'retell cannot route calls to numbers from the local pool', false);
    }
    const http = this.http(credentials);
    const number = encodeSegment(phone.e164);
    const inboundAgents = [{ agent_id: platformAgentId, weight: 1 }];
    const existing = await http.sendOrNull({ method: 'GET', path: `/get-phone-number/${number}` }, phoneNumber);
    if (existing) {
      const agents = existing.inbound_agents ?? [];
      if (agents.length === 1 && agents[0]!.agent_id === platformAgentId) return;
      await http.send({ method: 'PATCH', path: `/update-phone-number/${number}`, body: { json: { inbound_agents: inboundAgents } } }, phoneNumber);
      return;
    }
    if (!phone.sip_termination_uri) {
      throw new PlatformError('retell', 'invalid_request', 'importing a number into retell needs the SIP trunk termination URI', false);
    }
    await http.send(
      {
        method: 'POST',
        path: '/import-phone-number',
        body: { json: { phone_number: phone.e164, termination_uri: phone.sip_termination_uri, inbound_agents: inboundAgents, nickname: phone.e164 } },
      },
      phoneNumber,
    );
  }

  async getCall(credentials: PlatformCredentials, platformCallId: string): Promise<PlatformCall | null> {
    const call = await this.http(credentials).sendOrNull({ method: 'GET', path: `/v2/get-call/${encodeSegment(platformCallId)}` }, retellCall);
    return call ? normaliseRetellCall(call) : null;
  }

  async placeCall(credentials: PlatformCredentials, request: OutboundCallRequest): Promise<PlacedCall> {
    const http = this.http(credentials);
    const earlier = await http.send(
      {
        method: 'POST',
        path: '/v3/list-calls',
        body: {
          json: {
            filter_criteria: {
              agent: [{ agent_id: request.platform_agent_id }],
              metadata: [{ key: RETELL_CALL_ID_KEY, op: 'eq', type: 'string', value: request.dedupe_token }],
            },
            limit: 1,
          },
        },
      },
      callPage,
    );
    const found = earlier.items?.[0];
    if (found) return { platform_call_id: found.call_id };

    const created = await http.send(
      {
        method: 'POST',
        path: '/v2/create-phone-call',
        body: {
          json: {
            from_number: request.from_number,
            to_number: request.to_number,
            override_agent_id: request.platform_agent_id,
            retell_llm_dynamic_variables: { ...request.variables },
            metadata: { [RETELL_CALL_ID_KEY]: request.dedupe_token },
          },
        },
      },
      createdCall,
    );
    return { platform_call_id: created.call_id };
  }

  private deployed(agentId: string, knowledgeBaseIds: string[]): DeployedAgent {
    return { platform: 'retell', platform_agent_id: agentId, knowledge_base_ids: knowledgeBaseIds };
  }

  private async findAgent(http: ProviderHttp, token: string): Promise<string | null> {
    const page = await http.send(
      { method: 'POST', path: '/v2/list-agents', query: { limit: LIST_LIMIT }, body: { json: { filter_criteria: { query: token } } } },
      agentPage,
    );
    const marker = nameMarker(token);
    return (page.items ?? []).find((a) => (a.agent_name ?? '').endsWith(marker))?.agent_id ?? null;
  }

  /** The LLM of an attempt that crashed before create-agent, recognised by the token in its dynamic variables. */
  private async findLlm(http: ProviderHttp, token: string): Promise<string | null> {
    let paginationKey: string | undefined;
    for (let page = 0; page < LLM_PAGES; page++) {
      const result = await http.send(
        {
          method: 'GET',
          path: '/v2/list-retell-llms',
          query: { limit: LIST_LIMIT, sort_order: 'descending', pagination_key: paginationKey },
        },
        llmPage,
      );
      const match = (result.items ?? []).find((l) => l.default_dynamic_variables?.[DEDUPE_VARIABLE] === token);
      if (match) return match.llm_id;
      if (!result.has_more || !result.pagination_key) return null;
      paginationKey = result.pagination_key;
    }
    return null;
  }

  private async createLlm(http: ProviderHttp, deployment: AgentDeployment, knowledgeIds: string[]): Promise<string> {
    const created = await http.send(
      {
        method: 'POST',
        path: '/create-retell-llm',
        body: {
          json: {
            general_prompt: deployment.system_prompt,
            begin_message: deployment.first_message,
            knowledge_base_ids: knowledgeIds,
            // Not referenced by the prompt, so inert in calls; it lets a retry recognise this LLM.
            default_dynamic_variables: { [DEDUPE_VARIABLE]: deployment.dedupe_token },
          },
        },
      },
      llm,
    );
    return created.llm_id;
  }

  /**
   * Finds the operation's knowledge base, creating it when `create` is set and there are documents.
   * Also returns the account's whole list, which the caller needs to tell our bases from others.
   */
  private async ensureKnowledgeBase(
    http: ProviderHttp,
    deployment: AgentDeployment,
    create: boolean,
  ): Promise<{ current: string | null; all: z.infer<typeof knowledgeBases> }> {
    const all = await http.send({ method: 'GET', path: '/list-knowledge-bases' }, knowledgeBases);
    const name = knowledgeBaseName(deployment.dedupe_token, deployment.knowledge_base);
    const found = deployment.knowledge_base.length > 0 ? all.find((kb) => kb.knowledge_base_name === name) : undefined;
    if (found) return { current: found.knowledge_base_id, all };
    if (!create || deployment.knowledge_base.length === 0) return { current: null, all };
    const form = new FormData();
    form.append('knowledge_base_name', name);
    form.append('knowledge_base_texts', JSON.stringify(deployment.knowledge_base.map((doc) => ({ title: doc.title, text: doc.content }))));
    const created = await http.send({ method: 'POST', path: '/create-knowledge-base', body: { multipart: form } }, knowledgeBase);
    return { current: created.knowledge_base_id, all: [...all, created] };
  }

  private async deleteKnowledgeBase(http: ProviderHttp, id: string): Promise<void> {
    await http.sendOrNull({ method: 'DELETE', path: `/delete-knowledge-base/${encodeSegment(id)}` }, ignoredBody);
  }

  private http(credentials: PlatformCredentials): ProviderHttp {
    return new ProviderHttp({
      provider: 'retell',
      baseUrl: credentials.base_url ?? RETELL_BASE_URL,
      headers: { authorization: `Bearer ${credentials.api_key}` },
      secrets: [credentials.api_key],
      timeoutMs: this.options.timeoutMs,
      toError: (f) => new PlatformError('retell', f.kind, f.message, f.retryable, f.status),
    });
  }
}
