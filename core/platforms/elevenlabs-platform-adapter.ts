import { z } from 'zod';
import {
  AgentDeployment,
  DeployedAgent,
  KnowledgeDocument,
  PhoneAttachment,
  PlatformAdapter,
  PlatformCredentials,
  PlatformError,
} from './platform-adapter';
import { encodeSegment, ignoredBody, ProviderHttp } from './provider-http';

/*
 * ElevenLabs Agents (Conversational AI) client, written to the public API reference
 * (https://elevenlabs.io/docs/api-reference, "Agents", "Knowledge Base", "Phone Numbers") and the
 * official SDK generated from it (github.com/elevenlabs/elevenlabs-js,
 * src/api/resources/conversationalAi). Auth: `xi-api-key` header. Endpoints used:
 *   POST   /v1/convai/knowledge-base/text        {text, name} -> {id, name}
 *   GET    /v1/convai/knowledge-base?search=     search = "names start with" -> {documents, has_more, next_cursor}
 *   DELETE /v1/convai/knowledge-base/{documentation_id}
 *   POST   /v1/convai/agents/create              {conversation_config, name, tags} -> {agent_id}
 *   GET    /v1/convai/agents?search=             search by name -> {agents, has_more, next_cursor}
 *   GET    /v1/convai/agents/{agent_id}
 *   PATCH  /v1/convai/agents/{agent_id}          {conversation_config, name, tags}
 *   DELETE /v1/convai/agents/{agent_id}
 *   GET    /v1/convai/phone-numbers              -> [{phone_number_id, phone_number, assigned_agent}]
 *   POST   /v1/convai/phone-numbers              {provider: "twilio", phone_number, label, sid, token} -> {phone_number_id}
 *   PATCH  /v1/convai/phone-numbers/{phone_number_id} {agent_id}
 */

export const ELEVENLABS_BASE_URL = 'https://api.elevenlabs.io';
/** Page size cap documented for the agents and knowledge-base lists. */
const PAGE_SIZE = 100;
/** Dedupe lookups only need the newest few pages: the earlier attempt ran minutes ago, not months. */
const MAX_PAGES = 5;
/** English agents may use any conversational TTS model; other languages need a multilingual one. */
const MULTILINGUAL_TTS_MODEL = 'eleven_flash_v2_5';

const agentsPage = z.object({
  agents: z.array(z.object({ agent_id: z.string(), name: z.string(), tags: z.array(z.string()).nullish() })),
  has_more: z.boolean().nullish(),
  next_cursor: z.string().nullish(),
});
const agentDetail = z.object({
  agent_id: z.string(),
  conversation_config: z
    .object({
      agent: z
        .object({
          prompt: z.object({ knowledge_base: z.array(z.object({ id: z.string(), name: z.string().nullish() })).nullish() }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
});
const createdAgent = z.object({ agent_id: z.string() });
const knowledgePage = z.object({
  documents: z.array(z.object({ id: z.string(), name: z.string() })),
  has_more: z.boolean().nullish(),
  next_cursor: z.string().nullish(),
});
const createdDocument = z.object({ id: z.string(), name: z.string() });
const phoneNumbers = z.array(
  z.object({
    phone_number_id: z.string(),
    phone_number: z.string(),
    assigned_agent: z.object({ agent_id: z.string() }).nullish(),
  }),
);
const createdPhoneNumber = z.object({ phone_number_id: z.string() });

interface StoredDocument {
  id: string;
  name: string;
}

/** The token is in the name (what the list endpoint searches) and in a tag (what we match on). */
function agentName(deployment: AgentDeployment): string {
  return `${deployment.name} [wfw ${deployment.dedupe_token}]`;
}
function dedupeTag(token: string): string {
  return `wfw:${token}`;
}
/** Every document of one operation shares this prefix, so one prefix search finds them all. */
function documentPrefix(token: string): string {
  return `[wfw ${token}/`;
}
function documentName(token: string, doc: KnowledgeDocument): string {
  return `${documentPrefix(token)}${doc.key}] ${doc.title}`;
}
const OUR_DOCUMENT = /^\[wfw [^\]/]+\//;

/** ElevenLabs takes ISO 639-1 codes ("en", "es"), not full BCP 47 tags. */
function elevenLabsLanguage(tag: string): string {
  return tag.split('-')[0]!.toLowerCase();
}

export class ElevenLabsPlatformAdapter implements PlatformAdapter {
  readonly name = 'elevenlabs' as const;

  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  async createAgent(credentials: PlatformCredentials, deployment: AgentDeployment): Promise<DeployedAgent> {
    const http = this.http(credentials);
    const existing = await this.findAgent(http, deployment);
    if (existing) {
      const detail = await http.send({ method: 'GET', path: `/v1/convai/agents/${encodeSegment(existing)}` }, agentDetail);
      return this.deployed(existing, knowledgeIds(detail));
    }
    const documents = await this.ensureDocuments(http, deployment);
    const created = await http.send(
      {
        method: 'POST',
        path: '/v1/convai/agents/create',
        body: { json: { name: agentName(deployment), tags: [dedupeTag(deployment.dedupe_token)], conversation_config: conversationConfig(deployment, documents) } },
      },
      createdAgent,
    );
    return this.deployed(created.agent_id, documents.map((d) => d.id));
  }

  async updateAgent(credentials: PlatformCredentials, platformAgentId: string, deployment: AgentDeployment): Promise<DeployedAgent> {
    const http = this.http(credentials);
    const path = `/v1/convai/agents/${encodeSegment(platformAgentId)}`;
    const before = await http.sendOrNull({ method: 'GET', path }, agentDetail);
    if (!before) throw new PlatformError('elevenlabs', 'not_found', `elevenlabs agent ${platformAgentId} does not exist`, false, 404);
    const documents = await this.ensureDocuments(http, deployment);
    await http.send(
      {
        method: 'PATCH',
        path,
        body: { json: { name: agentName(deployment), tags: [dedupeTag(deployment.dedupe_token)], conversation_config: conversationConfig(deployment, documents) } },
      },
      ignoredBody,
    );
    // Only after the agent stopped referencing them: ElevenLabs refuses to delete a document in use.
    const kept = new Set(documents.map((d) => d.id));
    const stale = (before.conversation_config?.agent?.prompt?.knowledge_base ?? []).filter(
      (d) => !kept.has(d.id) && OUR_DOCUMENT.test(d.name ?? ''),
    );
    for (const doc of stale) await this.deleteDocument(http, doc.id);
    return this.deployed(platformAgentId, documents.map((d) => d.id));
  }

  /**
   * The agent carrying the token's tag, and the documents named with the token's prefix (the
   * knowledge-base search is a prefix match, so one search finds them). The agents search matches
   * names and we do not know the name here, so the newest pages are scanned for the tag. Documents
   * of an attempt that crashed before the agent existed are not returned (no agent to delete).
   */
  async findAgentByDedupeToken(credentials: PlatformCredentials, dedupeToken: string): Promise<DeployedAgent | null> {
    const http = this.http(credentials);
    const tag = dedupeTag(dedupeToken);
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await http.send({ method: 'GET', path: '/v1/convai/agents', query: { page_size: PAGE_SIZE, cursor } }, agentsPage);
      const match = result.agents.find((a) => (a.tags ?? []).includes(tag));
      if (match) {
        const documents = await http.send(
          { method: 'GET', path: '/v1/convai/knowledge-base', query: { search: documentPrefix(dedupeToken), page_size: PAGE_SIZE } },
          knowledgePage,
        );
        return this.deployed(match.agent_id, documents.documents.filter((d) => d.name.startsWith(documentPrefix(dedupeToken))).map((d) => d.id));
      }
      if (!result.has_more || !result.next_cursor) return null;
      cursor = result.next_cursor;
    }
    return null;
  }

  async deleteAgent(credentials: PlatformCredentials, deployed: DeployedAgent): Promise<void> {
    const http = this.http(credentials);
    await http.sendOrNull({ method: 'DELETE', path: `/v1/convai/agents/${encodeSegment(deployed.platform_agent_id)}` }, ignoredBody);
    for (const id of deployed.knowledge_base_ids) await this.deleteDocument(http, id);
  }

  async attachPhoneNumber(credentials: PlatformCredentials, platformAgentId: string, phone: PhoneAttachment): Promise<void> {
    if (phone.telephony !== 'twilio') {
      throw new PlatformError('elevenlabs', 'invalid_request', `elevenlabs can only import Twilio numbers, not ${phone.telephony} numbers`, false);
    }
    const http = this.http(credentials);
    const numbers = await http.send({ method: 'GET', path: '/v1/convai/phone-numbers' }, phoneNumbers);
    const number = numbers.find((n) => n.phone_number === phone.e164);
    if (number?.assigned_agent?.agent_id === platformAgentId) return;
    let phoneNumberId = number?.phone_number_id;
    if (!phoneNumberId) {
      if (!phone.telephony_credentials) {
        throw new PlatformError('elevenlabs', 'invalid_request', 'importing a Twilio number into elevenlabs needs the Twilio account credentials', false);
      }
      const created = await http.send(
        {
          method: 'POST',
          path: '/v1/convai/phone-numbers',
          body: {
            json: {
              provider: 'twilio',
              phone_number: phone.e164,
              label: phone.e164,
              sid: phone.telephony_credentials.account_sid,
              token: phone.telephony_credentials.auth_token,
            },
          },
        },
        createdPhoneNumber,
      );
      phoneNumberId = created.phone_number_id;
    }
    await http.send(
      { method: 'PATCH', path: `/v1/convai/phone-numbers/${encodeSegment(phoneNumberId)}`, body: { json: { agent_id: platformAgentId } } },
      ignoredBody,
    );
  }

  private deployed(agentId: string, knowledgeBaseIds: string[]): DeployedAgent {
    return { platform: 'elevenlabs', platform_agent_id: agentId, knowledge_base_ids: knowledgeBaseIds };
  }

  private async findAgent(http: ProviderHttp, deployment: AgentDeployment): Promise<string | null> {
    const tag = dedupeTag(deployment.dedupe_token);
    const name = agentName(deployment);
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      // Searching for the whole name works whether the search is a prefix or a substring match.
      const result = await http.send(
        { method: 'GET', path: '/v1/convai/agents', query: { search: name, page_size: PAGE_SIZE, cursor } },
        agentsPage,
      );
      const match = result.agents.find((a) => (a.tags ?? []).includes(tag) || a.name === name);
      if (match) return match.agent_id;
      if (!result.has_more || !result.next_cursor) return null;
      cursor = result.next_cursor;
    }
    return null;
  }

  /** Creates the operation's documents, reusing any an earlier attempt already made. */
  private async ensureDocuments(http: ProviderHttp, deployment: AgentDeployment): Promise<StoredDocument[]> {
    if (deployment.knowledge_base.length === 0) return [];
    const existing = new Map<string, string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await http.send(
        {
          method: 'GET',
          path: '/v1/convai/knowledge-base',
          query: { search: documentPrefix(deployment.dedupe_token), page_size: PAGE_SIZE, cursor },
        },
        knowledgePage,
      );
      for (const doc of result.documents) existing.set(doc.name, doc.id);
      if (!result.has_more || !result.next_cursor) break;
      cursor = result.next_cursor;
    }
    const documents: StoredDocument[] = [];
    for (const doc of deployment.knowledge_base) {
      const name = documentName(deployment.dedupe_token, doc);
      const id = existing.get(name);
      if (id) {
        documents.push({ id, name });
        continue;
      }
      const created = await http.send(
        { method: 'POST', path: '/v1/convai/knowledge-base/text', body: { json: { text: doc.content, name } } },
        createdDocument,
      );
      documents.push({ id: created.id, name: created.name });
    }
    return documents;
  }

  private async deleteDocument(http: ProviderHttp, id: string): Promise<void> {
    await http.sendOrNull({ method: 'DELETE', path: `/v1/convai/knowledge-base/${encodeSegment(id)}` }, ignoredBody);
  }

  private http(credentials: PlatformCredentials): ProviderHttp {
    return new ProviderHttp({
      provider: 'elevenlabs',
      baseUrl: credentials.base_url ?? ELEVENLABS_BASE_URL,
      headers: { 'xi-api-key': credentials.api_key },
      secrets: [credentials.api_key],
      timeoutMs: this.options.timeoutMs,
      toError: (f) => new PlatformError('elevenlabs', f.kind, f.message, f.retryable, f.status),
    });
  }
}

function knowledgeIds(detail: z.infer<typeof agentDetail>): string[] {
  return (detail.conversation_config?.agent?.prompt?.knowledge_base ?? []).map((d) => d.id);
}

function conversationConfig(deployment: AgentDeployment, documents: StoredDocument[]): Record<string, unknown> {
  const language = elevenLabsLanguage(deployment.language);
  const tts: Record<string, string> = {};
  // Without a voice the platform's default voice applies, which is the documented behaviour.
  if (deployment.voice) tts.voice_id = deployment.voice;
  if (language !== 'en') tts.model_id = MULTILINGUAL_TTS_MODEL;
  return {
    agent: {
      first_message: deployment.first_message,
      language,
      prompt: {
        prompt: deployment.system_prompt,
        knowledge_base: documents.map((d) => ({ type: 'text', id: d.id, name: d.name })),
      },
    },
    ...(Object.keys(tts).length > 0 ? { tts } : {}),
  };
}
