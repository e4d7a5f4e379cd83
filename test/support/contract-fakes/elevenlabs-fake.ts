import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { check, ContractFakeServer, ContractViolation, E164, expectJson, expectNoBody, expectQuery, FakeReply, RecordedRequest } from './fake-server';

/**
 * ElevenLabs Agents API as its reference documents it (elevenlabs.io/docs/api-reference; request
 * and response models as in github.com/elevenlabs/elevenlabs-js): `xi-api-key` auth, FastAPI-style
 * errors (422 `{detail: [{loc, msg, type}]}`, other errors `{detail: {status, message}}`), and only
 * the endpoints our client uses. Request schemas list the documented fields and nothing else, so a
 * misspelt or invented field is a violation.
 */

export interface FakeElevenLabsAgent {
  agent_id: string;
  name: string;
  tags: string[];
  conversation_config: ConversationConfig;
  platform_settings?: PlatformSettings;
}
/** A workspace webhook (WorkspaceWebhookResponseModel): made in the ElevenLabs settings, not by our client. */
export interface FakeElevenLabsWebhook {
  webhook_id: string;
  name: string;
  webhook_url: string;
  is_disabled: boolean;
  is_auto_disabled: boolean;
  auth_type: 'hmac';
}
export interface FakeElevenLabsDocument {
  id: string;
  name: string;
  text: string;
}
export interface FakeElevenLabsPhone {
  phone_number_id: string;
  phone_number: string;
  label: string;
  provider: 'twilio';
  sid: string;
  agent_id: string | null;
}

const knowledgeLocator = z.strictObject({
  type: z.enum(['file', 'url', 'text', 'folder']),
  name: z.string(),
  id: z.string(),
  usage_mode: z.enum(['prompt', 'auto']).optional(),
});
/** The part of ConversationalConfig our client may send; each object is strict so typos fail. */
const conversationConfig = z.strictObject({
  agent: z
    .strictObject({
      first_message: z.string().optional(),
      language: z.string().regex(/^[a-z]{2,3}(-[a-z]{2,4})?$/, 'ISO 639-1 code, e.g. "en"').optional(),
      prompt: z
        .strictObject({
          prompt: z.string().optional(),
          llm: z.string().optional(),
          knowledge_base: z.array(knowledgeLocator).optional(),
        })
        .optional(),
    })
    .optional(),
  tts: z
    .strictObject({
      voice_id: z.string().min(1).optional(),
      model_id: z.enum(['eleven_turbo_v2', 'eleven_turbo_v2_5', 'eleven_flash_v2', 'eleven_flash_v2_5', 'eleven_multilingual_v2', 'eleven_v3_conversational']).optional(),
    })
    .optional(),
});
type ConversationConfig = z.infer<typeof conversationConfig>;

/** WebhookEventType, ConvAIWebhooks and AgentWorkspaceOverrides as elevenlabs-js models them. */
export const ELEVENLABS_WEBHOOK_EVENT_TYPES = ['transcript', 'audio', 'call_initiation_failure', 'unredacted_transcript', 'unredacted_audio'] as const;
const platformSettings = z
  .object({
    workspace_overrides: z
      .strictObject({
        conversation_initiation_client_data_webhook: z.record(z.string(), z.unknown()).nullable().optional(),
        webhooks: z
          .strictObject({
            post_call_webhook_id: z.string().nullable().optional(),
            events: z.array(z.enum(ELEVENLABS_WEBHOOK_EVENT_TYPES)).optional(),
            transcript_format: z.string().optional(),
            send_audio: z.boolean().nullable().optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .catchall(z.unknown());
type PlatformSettings = z.infer<typeof platformSettings>;

const createAgentBody = z.strictObject({
  conversation_config: conversationConfig,
  platform_settings: platformSettings.optional(),
  workflow: z.record(z.string(), z.unknown()).optional(),
  name: z.string().optional(),
  tags: z.array(z.string()).optional(),
});
const updateAgentBody = z.strictObject({
  conversation_config: conversationConfig.optional(),
  platform_settings: platformSettings.optional(),
  workflow: z.record(z.string(), z.unknown()).optional(),
  name: z.string().optional(),
  tags: z.array(z.string()).optional(),
  version_description: z.string().optional(),
});
const createTextDocumentBody = z.strictObject({ text: z.string().min(1), name: z.string().optional(), parent_folder_id: z.string().optional() });
const createPhoneBody = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z.literal('twilio'),
    phone_number: z.string().regex(E164, 'E.164'),
    label: z.string(),
    sid: z.string().min(1),
    token: z.string().min(1),
    supports_inbound: z.boolean().optional(),
    supports_outbound: z.boolean().optional(),
    agent_id: z.string().optional(),
  }),
]);
const updatePhoneBody = z.strictObject({ agent_id: z.string().optional(), label: z.string().optional() });
/** DynamicVariableValueTypeInput: string, number, boolean (or null). */
const dynamicValue = z.union([z.string(), z.number(), z.boolean()]).nullable();
/** ConversationInitiationClientDataRequestInput as elevenlabs-js serialises it. */
const initiationClientData = z.strictObject({
  conversation_config_override: z.record(z.string(), z.unknown()).nullable().optional(),
  custom_llm_extra_body: z.record(z.string(), z.unknown()).nullable().optional(),
  user_id: z.string().nullable().optional(),
  source_info: z.record(z.string(), z.unknown()).nullable().optional(),
  branch_id: z.string().nullable().optional(),
  environment: z.string().nullable().optional(),
  starting_workflow_node_id: z.string().nullable().optional(),
  dynamic_variables: z.record(z.string(), dynamicValue).nullable().optional(),
});
/** BodyHandleAnOutboundCallViaTwilioV1ConvaiTwilioOutboundCallPost. */
const twilioOutboundCallBody = z.strictObject({
  agent_id: z.string().min(1),
  agent_phone_number_id: z.string().min(1),
  to_number: z.string().regex(E164, 'E.164'),
  conversation_initiation_client_data: initiationClientData.nullable().optional(),
  call_recording_enabled: z.boolean().nullable().optional(),
  telephony_call_config: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** A call placed through POST /v1/convai/twilio/outbound-call, as the fake keeps it. */
export interface FakeElevenLabsOutboundCall {
  conversation_id: string;
  callSid: string;
  agent_id: string;
  agent_phone_number_id: string;
  to_number: string;
  user_id: string | null;
  dynamic_variables: Record<string, unknown>;
  start_time_unix_secs: number;
}
const pageSize = z.coerce.number().int().min(1).max(100);

function notFound(what: string): FakeReply {
  return { status: 404, body: { detail: { status: `${what}_not_found`, message: `${what} not found` } } };
}

export class ElevenLabsFake {
  readonly agents = new Map<string, FakeElevenLabsAgent>();
  readonly documents = new Map<string, FakeElevenLabsDocument>();
  readonly phones = new Map<string, FakeElevenLabsPhone>();
  readonly webhooks = new Map<string, FakeElevenLabsWebhook>();
  /** Conversations as GET /v1/convai/conversations/{id} answers them; tests put recorded ones here. */
  readonly conversations = new Map<string, Record<string, unknown>>();
  /** Calls placed through the Twilio outbound-call endpoint, oldest first. */
  readonly outboundCalls: FakeElevenLabsOutboundCall[] = [];
  /** When set, the next outbound call is refused the way Twilio refusals come back: 200 with success false. */
  private twilioRefusal: string | null = null;
  readonly server: ContractFakeServer;

  constructor(readonly apiKey = `sk_${randomBytes(12).toString('hex')}`) {
    this.server = new ContractFakeServer(
      [
        { method: 'POST', path: /^\/v1\/convai\/knowledge-base\/text$/, handle: (req) => this.createDocument(req) },
        { method: 'GET', path: /^\/v1\/convai\/knowledge-base$/, handle: (req) => this.listDocuments(req) },
        { method: 'DELETE', path: /^\/v1\/convai\/knowledge-base\/([^/]+)$/, handle: (req, [id]) => this.deleteDocument(req, id!) },
        { method: 'POST', path: /^\/v1\/convai\/agents\/create$/, handle: (req) => this.createAgent(req) },
        { method: 'GET', path: /^\/v1\/convai\/agents$/, handle: (req) => this.listAgents(req) },
        { method: 'GET', path: /^\/v1\/convai\/agents\/([^/]+)$/, handle: (req, [id]) => this.getAgent(req, id!) },
        { method: 'PATCH', path: /^\/v1\/convai\/agents\/([^/]+)$/, handle: (req, [id]) => this.updateAgent(req, id!) },
        { method: 'DELETE', path: /^\/v1\/convai\/agents\/([^/]+)$/, handle: (req, [id]) => this.deleteAgent(req, id!) },
        { method: 'GET', path: /^\/v1\/workspace\/webhooks$/, handle: (req) => this.listWebhooks(req) },
        { method: 'GET', path: /^\/v1\/convai\/conversations\/([^/]+)$/, handle: (req, [id]) => this.getConversation(req, id!) },
        { method: 'GET', path: /^\/v1\/convai\/conversations$/, handle: (req) => this.listConversations(req) },
        { method: 'POST', path: /^\/v1\/convai\/twilio\/outbound-call$/, handle: (req) => this.twilioOutboundCall(req) },
        { method: 'GET', path: /^\/v1\/convai\/phone-numbers$/, handle: (req) => this.listPhones(req) },
        { method: 'POST', path: /^\/v1\/convai\/phone-numbers$/, handle: (req) => this.createPhone(req) },
        { method: 'PATCH', path: /^\/v1\/convai\/phone-numbers\/([^/]+)$/, handle: (req, [id]) => this.updatePhone(req, id!) },
      ],
      {
        authenticate: (req) =>
          req.headers['xi-api-key'] === this.apiKey
            ? null
            : { status: 401, body: { detail: { status: 'invalid_api_key', message: 'Invalid API key' } } },
        violation: (message) => ({ status: 422, body: { detail: [{ loc: ['body'], msg: message, type: 'value_error' }] } }),
        noRoute: () => ({ status: 404, body: { detail: 'Not Found' } }),
      },
    );
  }

  start(): Promise<string> {
    return this.server.start();
  }
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** What the agent answers from now: the documents its prompt references, with their text. */
  servedDocuments(agentId: string): { name: string; text: string }[] {
    const refs = this.agents.get(agentId)?.conversation_config.agent?.prompt?.knowledge_base ?? [];
    return refs.map((ref) => {
      const doc = this.documents.get(ref.id);
      return { name: doc?.name ?? ref.name, text: doc?.text ?? '' };
    });
  }

  private createDocument(req: RecordedRequest): FakeReply {
    const body = expectJson(req, createTextDocumentBody);
    const doc = { id: `doc_${randomBytes(8).toString('hex')}`, name: body.name ?? 'Untitled', text: body.text };
    this.documents.set(doc.id, doc);
    return { status: 200, body: { id: doc.id, name: doc.name } };
  }

  private listDocuments(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    expectQuery(req, ['page_size', 'search', 'cursor', 'types', 'show_only_owned_documents', 'sort_direction', 'sort_by']);
    if (req.query.has('page_size')) check(pageSize, req.query.get('page_size'));
    // Documented as "names start with this string".
    const search = req.query.get('search') ?? '';
    const documents = [...this.documents.values()]
      .filter((d) => d.name.startsWith(search))
      .map((d) => ({ id: d.id, name: d.name, type: 'text', metadata: {}, supported_usages: ['auto'], access_info: {}, dependent_agents: [] }));
    return { status: 200, body: { documents, has_more: false, next_cursor: null } };
  }

  private deleteDocument(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    if (!this.documents.has(id)) return notFound('document');
    const inUse = [...this.agents.values()].some((a) => (a.conversation_config.agent?.prompt?.knowledge_base ?? []).some((k) => k.id === id));
    if (inUse && req.query.get('force') !== 'true') {
      return { status: 400, body: { detail: { status: 'document_in_use', message: 'Document is used by an agent' } } };
    }
    this.documents.delete(id);
    return { status: 200, body: {} };
  }

  private checkKnowledge(config: ConversationConfig | undefined): void {
    for (const ref of config?.agent?.prompt?.knowledge_base ?? []) {
      if (!this.documents.has(ref.id)) throw new ContractViolation(`knowledge base document ${ref.id} does not exist`);
    }
  }

  /** An agent may only select a webhook the workspace has. */
  private checkWebhook(settings: PlatformSettings | undefined): void {
    const id = settings?.workspace_overrides?.webhooks?.post_call_webhook_id;
    if (id && !this.webhooks.has(id)) throw new ContractViolation(`webhook ${id} does not exist in the workspace`);
  }

  private listWebhooks(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    expectQuery(req, ['include_usages']);
    return { status: 200, body: { webhooks: [...this.webhooks.values()].map((w) => ({ ...w, created_at_unix_secs: 1764700000 })) } };
  }

  private getConversation(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    expectQuery(req, []);
    const conversation = this.conversations.get(id);
    return conversation ? { status: 200, body: conversation } : notFound('conversation');
  }

  /** The next outbound call comes back `{success: false, message}` with nothing dialled. */
  refuseNextOutboundCall(message: string): void {
    this.twilioRefusal = message;
  }

  private twilioOutboundCall(req: RecordedRequest): FakeReply {
    const body = expectJson(req, twilioOutboundCallBody);
    if (!this.agents.has(body.agent_id)) return notFound('agent');
    const phone = this.phones.get(body.agent_phone_number_id);
    if (!phone) return notFound('phone_number');
    if (this.twilioRefusal !== null) {
      const message = this.twilioRefusal;
      this.twilioRefusal = null;
      return { status: 200, body: { success: false, message, conversation_id: null, callSid: null } };
    }
    const call: FakeElevenLabsOutboundCall = {
      conversation_id: `conv_${randomBytes(12).toString('hex')}`,
      callSid: `CA${randomBytes(16).toString('hex')}`,
      agent_id: body.agent_id,
      agent_phone_number_id: phone.phone_number_id,
      to_number: body.to_number,
      user_id: body.conversation_initiation_client_data?.user_id ?? null,
      dynamic_variables: { ...body.conversation_initiation_client_data?.dynamic_variables },
      start_time_unix_secs: Math.floor(Date.now() / 1000),
    };
    this.outboundCalls.push(call);
    return { status: 200, body: { success: true, message: 'Success', conversation_id: call.conversation_id, callSid: call.callSid } };
  }

  /** GET /v1/convai/conversations: newest first, filtered by agent_id and user_id as documented. */
  private listConversations(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    expectQuery(req, [
      'cursor', 'agent_id', 'call_successful', 'call_start_before_unix', 'call_start_after_unix', 'call_duration_min_secs', 'call_duration_max_secs',
      'user_id', 'page_size', 'summary_mode', 'search', 'conversation_initiation_source', 'branch_id',
    ]);
    const size = req.query.has('page_size') ? check(pageSize, req.query.get('page_size')) : 30;
    const agentId = req.query.get('agent_id');
    const userId = req.query.get('user_id');
    const matching = [...this.outboundCalls]
      .reverse()
      .filter((c) => (agentId === null || c.agent_id === agentId) && (userId === null || c.user_id === userId));
    const conversations = matching.slice(0, size).map((c) => ({
      agent_id: c.agent_id,
      conversation_id: c.conversation_id,
      start_time_unix_secs: c.start_time_unix_secs,
      call_duration_secs: 0,
      message_count: 0,
      status: 'initiated',
      call_successful: 'unknown',
      direction: 'outbound',
    }));
    return { status: 200, body: { conversations, has_more: matching.length > size, next_cursor: null } };
  }

  private createAgent(req: RecordedRequest): FakeReply {
    const body = expectJson(req, createAgentBody);
    this.checkKnowledge(body.conversation_config);
    this.checkWebhook(body.platform_settings);
    const agent: FakeElevenLabsAgent = {
      agent_id: `agent_${randomBytes(12).toString('hex')}`,
      name: body.name ?? '',
      tags: body.tags ?? [],
      conversation_config: body.conversation_config,
      platform_settings: body.platform_settings,
    };
    this.agents.set(agent.agent_id, agent);
    return { status: 200, body: { agent_id: agent.agent_id } };
  }

  private listAgents(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    expectQuery(req, ['page_size', 'search', 'archived', 'show_only_owned_agents', 'created_by_user_id', 'sort_direction', 'sort_by', 'cursor']);
    if (req.query.has('page_size')) check(pageSize, req.query.get('page_size'));
    // The reference only says "search by agents name"; prefix matching is the stricter reading.
    const search = (req.query.get('search') ?? '').toLowerCase();
    const agents = [...this.agents.values()]
      .filter((a) => a.name.toLowerCase().startsWith(search))
      .map((a) => ({ agent_id: a.agent_id, name: a.name, tags: a.tags, created_at_unix_secs: 1, access_info: {} }));
    return { status: 200, body: { agents, has_more: false, next_cursor: null } };
  }

  private getAgent(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    const agent = this.agents.get(id);
    if (!agent) return notFound('agent');
    return { status: 200, body: { ...agent, metadata: { created_at_unix_secs: 1 } } };
  }

  private updateAgent(req: RecordedRequest, id: string): FakeReply {
    const body = expectJson(req, updateAgentBody);
    const agent = this.agents.get(id);
    if (!agent) return notFound('agent');
    this.checkKnowledge(body.conversation_config);
    this.checkWebhook(body.platform_settings);
    if (body.platform_settings) agent.platform_settings = { ...agent.platform_settings, ...body.platform_settings };
    if (body.name !== undefined) agent.name = body.name;
    if (body.tags !== undefined) agent.tags = body.tags;
    if (body.conversation_config) {
      const before = agent.conversation_config;
      agent.conversation_config = {
        ...before,
        ...body.conversation_config,
        agent: { ...before.agent, ...body.conversation_config.agent },
        tts: { ...before.tts, ...body.conversation_config.tts },
      };
    }
    return { status: 200, body: { ...agent, metadata: { created_at_unix_secs: 1 } } };
  }

  private deleteAgent(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    if (!this.agents.delete(id)) return notFound('agent');
    for (const phone of this.phones.values()) if (phone.agent_id === id) phone.agent_id = null;
    return { status: 204 };
  }

  private phoneView(phone: FakeElevenLabsPhone) {
    const agent = phone.agent_id ? this.agents.get(phone.agent_id) : undefined;
    return {
      provider: phone.provider,
      phone_number_id: phone.phone_number_id,
      phone_number: phone.phone_number,
      label: phone.label,
      assigned_agent: agent ? { agent_id: agent.agent_id, agent_name: agent.name } : null,
    };
  }

  private listPhones(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    return { status: 200, body: [...this.phones.values()].map((p) => this.phoneView(p)) };
  }

  private createPhone(req: RecordedRequest): FakeReply {
    const body = expectJson(req, createPhoneBody);
    if ([...this.phones.values()].some((p) => p.phone_number === body.phone_number)) {
      return { status: 400, body: { detail: { status: 'phone_number_already_exists', message: 'Phone number already imported' } } };
    }
    if (body.agent_id && !this.agents.has(body.agent_id)) return notFound('agent');
    const phone: FakeElevenLabsPhone = {
      phone_number_id: `phnum_${randomBytes(8).toString('hex')}`,
      phone_number: body.phone_number,
      label: body.label,
      provider: 'twilio',
      sid: body.sid,
      agent_id: body.agent_id ?? null,
    };
    this.phones.set(phone.phone_number_id, phone);
    return { status: 200, body: { phone_number_id: phone.phone_number_id } };
  }

  private updatePhone(req: RecordedRequest, id: string): FakeReply {
    const body = expectJson(req, updatePhoneBody);
    const phone = this.phones.get(id);
    if (!phone) return notFound('phone_number');
    if (body.agent_id !== undefined) {
      if (!this.agents.has(body.agent_id)) return notFound('agent');
      phone.agent_id = body.agent_id;
    }
    if (body.label !== undefined) phone.label = body.label;
    return { status: 200, body: this.phoneView(phone) };
  }
}
