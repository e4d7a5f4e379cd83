import { z } from 'zod';
import type { PlatformCall } from '../calls/call-types';
import { normaliseVapiCall, VAPI_CALL_ID_KEY, VAPI_SECRET_HEADER, vapiCall } from '../calls/notifications/vapi-notifications';
import { vapiKnowledgeBaseUrl } from '../calls/notifications/vapi-knowledge-base-request';
import { promptForKnowledgeServer, promptWithKnowledge } from '../generation/knowledge-placement';
import {
  AgentDeployment,
  DeployedAgent,
  OutboundCallRequest,
  PhoneAttachment,
  PlacedCall,
  PlatformAdapter,
  PlatformCredentials,
  PlatformError,
} from './platform-adapter';
import { encodeSegment, ignoredBody, ProviderHttp } from './provider-http';

/*
 * Vapi client, written to the public API reference (https://docs.vapi.ai/api-reference:
 * Assistants create/list/update/delete, Phone Numbers create/list/update; OpenAPI document at
 * https://api.vapi.ai/api-json) and the official SDK generated from it
 * (github.com/VapiAI/server-sdk-typescript). Auth: `Authorization: Bearer <private key>`.
 *   POST   /assistant         {name (max 40), firstMessage, model{provider, model, messages[{role, content}]},
 *                             voice{provider, voiceId}, transcriber{provider, language}, metadata} -> 201 {id}
 *   GET    /assistant?limit=  (limit max 1000; no name/metadata filter) -> [{id, name, metadata}]
 *   PATCH  /assistant/{id}    same fields as create
 *   DELETE /assistant/{id}
 *   GET    /phone-number?limit= -> [{id, number, provider, assistantId}]
 *   POST   /phone-number      {provider: "twilio", number, twilioAccountSid, twilioAuthToken, assistantId, name}
 *   PATCH  /phone-number/{id} {provider: "twilio", assistantId} (the body is a union keyed by provider)
 *   GET    /call/{id}         -> Call (https://docs.vapi.ai/api-reference/calls/get)
 *   POST   /call              {assistantId, phoneNumberId, customer: {number}, assistantOverrides: {variableValues, metadata}}
 *                             -> 201 Call {id} (https://docs.vapi.ai/api-reference/calls/create; CreateCallDto in the SDK)
 *   GET    /call?assistantId&phoneNumberId&limit -> [Call] (https://docs.vapi.ai/api-reference/calls/list; ListCallsRequest)
 *
 * Outbound calls dial from an imported number named by its Vapi `id`, found by listing the
 * numbers and matching the E.164 (as attachPhoneNumber does) unless the caller already has it.
 * CreateCallDto has no idempotency key and no top-level metadata; our call ID goes into
 * `assistantOverrides.metadata` (per-call, the assistant itself is untouched), which the Call
 * object returns. A retry first lists the assistant's newest calls on that number and returns
 * the one carrying our ID. Not covered: a call not yet listed when the retry looks, or one pushed
 * out of the newest CALL_LOOKUP_LIMIT calls of that assistant and number by a busy batch.
 *
 * Call events go to the assistant's `server.url` (https://docs.vapi.ai/server-url), limited by
 * `serverMessages` to the two we read. The secret travels as the `X-Vapi-Secret` header: the
 * documented legacy behaviour (https://docs.vapi.ai/server-url/server-authentication, "Legacy
 * X-Vapi-Secret Support"). The Server object of the current API has no inline `secret` field any
 * more, so the header is set through `server.headers`, which it does have, rather than through a
 * dashboard-made credential that an API key cannot create for the account.
 *
 * Knowledge, when the deployment has a notification URL with a secret (a public base URL), is
 * served by us in Vapi's custom-knowledge-base server mode
 * (https://docs.vapi.ai/knowledge-base/custom-knowledge-base): `model.knowledgeBase` is
 * CreateCustomKnowledgeBaseDTO `{provider: "custom-knowledge-base", server}`, inline on the model
 * (no separate POST /knowledge-base object to create, find again and delete), with `server.url`
 * our route under the notification URL and the same X-Vapi-Secret header as the notifications. On
 * every user turn Vapi asks that route for documents and it answers from the KB version the head
 * names as synced, so the platform serves exactly `synced_version` by construction: a sync is this
 * (idempotent) assistant PATCH plus `synced_version` moving, and the prompt carries only a notice
 * of where knowledge comes from, whatever the KB's size. The documents the route returns stay in
 * the website-data fence. A PATCH replaces the whole `model` object (documented on that page), so
 * a switch between the modes leaves no stale knowledgeBase or inline documents behind.
 *
 * Without one (a development machine Vapi cannot reach, or no secret to prove the request is
 * Vapi's) knowledge goes into the system prompt rather than Vapi's file-based knowledge base
 * (POST /file, a `query` tool whose knowledgeBases name the file IDs, the tool in model.toolIds):
 * the whole version is in one assistant PATCH, so a sync is all or nothing and a failed one
 * leaves the previous prompt in place, with nothing uploaded to leave behind; the model sees every
 * document on every turn; the cost is size (the KB's 500,000-character limit is more than a prompt
 * should carry).
 */

export const VAPI_BASE_URL = 'https://api.vapi.ai';
const LIST_LIMIT = 1000;
const NAME_MAX = 40;
const DEDUPE_KEY = 'wfw_dedupe_token';
const DEFAULT_MODEL = { provider: 'openai', model: 'gpt-4o' } as const;
/** Vapi's own voice from its quickstart; used when the deployment names none. */
const DEFAULT_VOICE = { provider: 'vapi', voiceId: 'Elliot' } as const;

const assistant = z.object({ id: z.string(), metadata: z.record(z.string(), z.unknown()).nullish() });
const assistants = z.array(assistant);
const phoneNumber = z.object({ id: z.string(), number: z.string().nullish(), assistantId: z.string().nullish() });
const phoneNumbers = z.array(phoneNumber);
const createdCall = z.object({ id: z.string() });
const listedCalls = z.array(
  z.object({ id: z.string(), assistantOverrides: z.object({ metadata: z.record(z.string(), z.unknown()).nullish() }).passthrough().nullish() }),
);
/** Our call ID in a call's assistantOverrides.metadata (defined with the reader, which reads it back). */
export { VAPI_CALL_ID_KEY };
/** How many of the assistant's newest calls on the number a retried placeCall looks through. */
const CALL_LOOKUP_LIMIT = 100;

/** A voice is either a Vapi voice ID ("Elliot") or "<provider>:<voiceId>" (e.g. "11labs:21m00Tcm4TlvDq8ikWAM"). */
function voiceConfig(voice: string | undefined): { provider: string; voiceId: string } {
  if (!voice) return { ...DEFAULT_VOICE };
  const colon = voice.indexOf(':');
  if (colon > 0) return { provider: voice.slice(0, colon), voiceId: voice.slice(colon + 1) };
  return { provider: 'vapi', voiceId: voice };
}

function assistantBody(deployment: AgentDeployment): Record<string, unknown> {
  return {
    name: deployment.name.slice(0, NAME_MAX),
    firstMessage: deployment.first_message,
    model: modelConfig(deployment),
    voice: voiceConfig(deployment.voice),
    transcriber: { provider: 'deepgram', language: deployment.language },
    // Names are capped at 40 characters, so the dedupe token lives in metadata.
    metadata: { [DEDUPE_KEY]: deployment.dedupe_token, wfw_name: deployment.name },
    ...notificationFields(deployment),
  };
}

/** The assistant's model: knowledge from our KB server when Vapi can reach and authenticate to it, else inline. */
function modelConfig(deployment: AgentDeployment): Record<string, unknown> {
  const target = deployment.notifications;
  if (!target?.secret) {
    return { ...DEFAULT_MODEL, messages: [{ role: 'system', content: promptWithKnowledge(deployment.system_prompt, deployment.knowledge_base) }] };
  }
  return {
    ...DEFAULT_MODEL,
    messages: [{ role: 'system', content: promptForKnowledgeServer(deployment.system_prompt) }],
    // Server as for the notifications: no inline `secret` in the current Server object, so the header.
    knowledgeBase: { provider: 'custom-knowledge-base', server: { url: vapiKnowledgeBaseUrl(target.url), headers: { [VAPI_SECRET_HEADER]: target.secret } } },
  };
}

/** The server messages our notification reader understands; the rest would only be noise on our route. */
export const VAPI_SERVER_MESSAGES = ['end-of-call-report', 'status-update'] as const;

function notificationFields(deployment: AgentDeployment): Record<string, unknown> {
  const target = deployment.notifications;
  if (!target) return {};
  const server: Record<string, unknown> = { url: target.url };
  if (target.secret) server.headers = { [VAPI_SECRET_HEADER]: target.secret };
  return { server, serverMessages: [...VAPI_SERVER_MESSAGES] };
}

export class VapiPlatformAdapter implements PlatformAdapter {
  readonly name = 'vapi' as const;

  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  /** Vapi lists assistants without a filter; the token is in their metadata (knowledge is inline or served by us: no files). */
  async findAgentByDedupeToken(credentials: PlatformCredentials, dedupeToken: string): Promise<DeployedAgent | null> {
    const all = await this.http(credentials).send({ method: 'GET', path: '/assistant', query: { limit: LIST_LIMIT } }, assistants);
    const found = all.find((a) => a.metadata?.[DEDUPE_KEY] === dedupeToken);
    return found ? this.deployed(found.id) : null;
  }

  async createAgent(credentials: PlatformCredentials, deployment: AgentDeployment): Promise<DeployedAgent> {
    const http = this.http(credentials);
    const all = await http.send({ method: 'GET', path: '/assistant', query: { limit: LIST_LIMIT } }, assistants);
    const existing = all.find((a) => a.metadata?.[DEDUPE_KEY] === deployment.dedupe_token);
    if (existing) return this.deployed(existing.id);
    const created = await http.send({ method: 'POST', path: '/assistant', body: { json: assistantBody(deployment) } }, assistant);
    return this.deployed(created.id);
  }

  async updateAgent(credentials: PlatformCredentials, platformAgentId: string, deployment: AgentDeployment): Promise<DeployedAgent> {
    const updated = await this.http(credentials).sendOrNull(
      { method: 'PATCH', path: `/assistant/${encodeSegment(platformAgentId)}`, body: { json: assistantBody(deployment) } },
      assistant,
    );
    if (!updated) throw new PlatformError('vapi', 'not_found', `vapi assistant ${platformAgentId} does not exist`, false, 404);
    return this.deployed(platformAgentId);
  }

  async deleteAgent(credentials: PlatformCredentials, deployed: DeployedAgent): Promise<void> {
    await this.http(credentials).sendOrNull({ method: 'DELETE', path: `/assistant/${encodeSegment(deployed.platform_agent_id)}` }, ignoredBody);
  }

  async attachPhoneNumber(credentials: PlatformCredentials, platformAgentId: string, phone: PhoneAttachment): Promise<void> {
    if (phone.telephony !== 'twilio') {
      throw new PlatformError('vapi', 'invalid_request', `vapi can only import Twilio numbers, not ${phone.telephony} numbers`, false);
    }
    const http = this.http(credentials);
    const numbers = await http.send({ method: 'GET', path: '/phone-number', query: { limit: LIST_LIMIT } }, phoneNumbers);
    const existing = numbers.find((n) => n.number === phone.e164);
    if (existing) {
      if (existing.assistantId === platformAgentId) return;
      await http.send(
        { method: 'PATCH', path: `/phone-number/${encodeSegment(existing.id)}`, body: { json: { provider: 'twilio', assistantId: platformAgentId } } },
        ignoredBody,
      );
      return;
    }
    if (!phone.telephony_credentials) {
      throw new PlatformError('vapi', 'invalid_request', 'importing a Twilio number into vapi needs the Twilio account credentials', false);
    }
    await http.send(
      {
        method: 'POST',
        path: '/phone-number',
        body: {
          json: {
            provider: 'twilio',
            number: phone.e164,
            twilioAccountSid: phone.telephony_credentials.account_sid,
            twilioAuthToken: phone.telephony_credentials.auth_token,
            assistantId: platformAgentId,
            name: phone.e164,
          },
        },
      },
      phoneNumber,
    );
  }

  async getCall(credentials: PlatformCredentials, platformCallId: string): Promise<PlatformCall | null> {
    const call = await this.http(credentials).sendOrNull({ method: 'GET', path: `/call/${encodeSegment(platformCallId)}` }, vapiCall);
    return call ? normaliseVapiCall(call) : null;
  }

  async placeCall(credentials: PlatformCredentials, request: OutboundCallRequest): Promise<PlacedCall> {
    const http = this.http(credentials);
    let phoneNumberId = request.from_number_id;
    if (!phoneNumberId) {
      const numbers = await http.send({ method: 'GET', path: '/phone-number', query: { limit: LIST_LIMIT } }, phoneNumbers);
      phoneNumberId = numbers.find((n) => n.number === request.from_number)?.id;
      if (!phoneNumberId) {
        throw new PlatformError('vapi', 'invalid_request', `vapi has no imported number ${request.from_number}: attach the number to the agent first`, false);
      }
    }
    const recent = await http.send(
      { method: 'GET', path: '/call', query: { assistantId: request.platform_agent_id, phoneNumberId, limit: CALL_LOOKUP_LIMIT } },
      listedCalls,
    );
    const earlier = recent.find((c) => c.assistantOverrides?.metadata?.[VAPI_CALL_ID_KEY] === request.dedupe_token);
    if (earlier) return { platform_call_id: earlier.id };

    const created = await http.send(
      {
        method: 'POST',
        path: '/call',
        body: {
          json: {
            assistantId: request.platform_agent_id,
            phoneNumberId,
            customer: { number: request.to_number },
            assistantOverrides: { variableValues: { ...request.variables }, metadata: { [VAPI_CALL_ID_KEY]: request.dedupe_token } },
          },
        },
      },
      createdCall,
    );
    return { platform_call_id: created.id };
  }

  private deployed(id: string): DeployedAgent {
    return { platform: 'vapi', platform_agent_id: id, knowledge_base_ids: [] };
  }

  private http(credentials: PlatformCredentials): ProviderHttp {
    return new ProviderHttp({
      provider: 'vapi',
      baseUrl: credentials.base_url ?? VAPI_BASE_URL,
      headers: { authorization: `Bearer ${credentials.api_key}` },
      secrets: [credentials.api_key],
      timeoutMs: this.options.timeoutMs,
      toError: (f) => new PlatformError('vapi', f.kind, f.message, f.retryable, f.status),
    });
  }
}
