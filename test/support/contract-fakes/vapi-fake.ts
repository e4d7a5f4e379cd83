import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { check, ContractFakeServer, E164, expectJson, expectNoBody, expectQuery, FakeReply, RecordedRequest } from './fake-server';

/**
 * Vapi's API as its OpenAPI document describes it (https://api.vapi.ai/api-json, rendered at
 * docs.vapi.ai/api-reference): Bearer auth, NestJS errors `{message, error, statusCode}`, create
 * answers 201, lists are plain arrays with `limit` at most 1000, assistant names at most 40
 * characters, phone-number bodies a union keyed by `provider`.
 */

export interface FakeVapiAssistant {
  id: string;
  orgId: string;
  name?: string;
  firstMessage?: string;
  model?: z.infer<typeof model>;
  voice?: z.infer<typeof voice>;
  transcriber?: z.infer<typeof transcriber>;
  metadata?: Record<string, unknown>;
  server?: z.infer<typeof server>;
  serverMessages?: string[];
  createdAt: string;
  updatedAt: string;
}
export interface FakeVapiPhoneNumber {
  id: string;
  orgId: string;
  provider: 'twilio';
  number: string;
  twilioAccountSid: string;
  assistantId?: string;
  name?: string;
  createdAt: string;
  updatedAt: string;
}

/** Server (server-sdk-typescript src/api/types/Server.ts): no inline `secret` any more. */
const server = z.strictObject({
  url: z.string().url().optional(),
  timeoutSeconds: z.number().min(1).max(300).optional(),
  credentialId: z.string().optional(),
  staticIpAddressesEnabled: z.boolean().optional(),
  encryptedPaths: z.array(z.string()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  backoffPlan: z.record(z.string(), z.unknown()).optional(),
});
/**
 * CreateCustomKnowledgeBaseDTO, the inline `model.knowledgeBase` (OpenAIModel.knowledgeBase):
 * Vapi posts knowledge-base-request to `server.url` (https://docs.vapi.ai/knowledge-base/custom-knowledge-base).
 */
const customKnowledgeBase = z.strictObject({ provider: z.literal('custom-knowledge-base'), server });
const model = z.strictObject({
  provider: z.literal('openai'),
  model: z.string().min(1),
  messages: z.array(z.strictObject({ role: z.enum(['assistant', 'function', 'system', 'tool', 'user']), content: z.string() })).optional(),
  temperature: z.number().optional(),
  maxTokens: z.number().optional(),
  knowledgeBase: customKnowledgeBase.optional(),
  knowledgeBaseId: z.string().optional(),
});
const voice = z.strictObject({ provider: z.string().min(1), voiceId: z.string().min(1) });
const transcriber = z.strictObject({ provider: z.literal('deepgram'), model: z.string().optional(), language: z.string().optional() });
/** AssistantServerMessagesItem. */
export const VAPI_SERVER_MESSAGE_TYPES = [
  'assistant.started', 'assistant.speechStarted', 'conversation-update', 'end-of-call-report', 'function-call', 'hang', 'language-changed',
  'language-change-detected', 'model-output', 'phone-call-control', 'speech-update', 'status-update', 'transcript',
  'transcript[transcriptType="final"]', 'tool-calls', 'transfer-destination-request', 'handoff-destination-request', 'transfer-update',
  'user-interrupted', 'voice-input', 'chat.created', 'chat.deleted', 'session.created', 'session.updated', 'session.deleted', 'call.deleted',
  'call.delete.failed',
] as const;
const assistantFields = {
  server: server.optional(),
  serverMessages: z.array(z.enum(VAPI_SERVER_MESSAGE_TYPES)).optional(),
  name: z.string().max(40).optional(),
  firstMessage: z.string().optional(),
  model: model.optional(),
  voice: voice.optional(),
  transcriber: transcriber.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
};
const createAssistantBody = z.strictObject(assistantFields);
const updateAssistantBody = z.strictObject(assistantFields);
const createPhoneBody = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z.literal('twilio'),
    number: z.string().regex(E164, 'E.164'),
    twilioAccountSid: z.string().min(1),
    twilioAuthToken: z.string().optional(),
    assistantId: z.string().optional(),
    name: z.string().max(40).optional(),
  }),
]);
const updatePhoneBody = z.discriminatedUnion('provider', [
  z.strictObject({ provider: z.literal('twilio'), assistantId: z.string().optional(), name: z.string().max(40).optional() }),
]);
const limit = z.coerce.number().min(0).max(1000);
/** AssistantOverrides: only the fields a client of ours could mean; strict so a typo fails. */
const assistantOverrides = z.strictObject({
  variableValues: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  firstMessage: z.string().optional(),
  name: z.string().max(40).optional(),
});
/** CreateCustomerDto. */
const customer = z.strictObject({
  numberE164CheckEnabled: z.boolean().optional(),
  extension: z.string().optional(),
  assistantOverrides: assistantOverrides.optional(),
  number: z.string().regex(E164, 'E.164').optional(),
  sipUri: z.string().optional(),
  name: z.string().max(40).optional(),
  email: z.string().optional(),
  externalId: z.string().optional(),
});
/** CreateCallDto for one outbound phone call with a saved assistant (no transient assistant, squad or workflow). */
const createCallBody = z.strictObject({
  name: z.string().max(40).optional(),
  assistantId: z.string().optional(),
  assistantOverrides: assistantOverrides.optional(),
  phoneNumberId: z.string().optional(),
  customerId: z.string().optional(),
  customer: customer.optional(),
  schedulePlan: z.record(z.string(), z.unknown()).optional(),
});
const LIST_CALL_QUERY = [
  'id', 'assistantId', 'phoneNumberId', 'limit', 'createdAtGt', 'createdAtLt', 'createdAtGe', 'createdAtLe', 'updatedAtGt', 'updatedAtLt', 'updatedAtGe', 'updatedAtLe',
];

function notFound(): FakeReply {
  return { status: 404, body: { message: 'Not Found', error: 'Not Found', statusCode: 404 } };
}

export class VapiFake {
  readonly assistants = new Map<string, FakeVapiAssistant>();
  readonly phoneNumbers = new Map<string, FakeVapiPhoneNumber>();
  /** Calls as GET /call/{id} answers them; tests put recorded calls here. */
  readonly calls = new Map<string, Record<string, unknown>>();
  /** IDs of the calls POST /call placed, oldest first (the calls themselves are in `calls`). */
  readonly placedCallIds: string[] = [];
  readonly server: ContractFakeServer;
  private readonly orgId = randomUUID();

  constructor(readonly apiKey = randomUUID()) {
    this.server = new ContractFakeServer(
      [
        { method: 'POST', path: /^\/assistant$/, handle: (req) => this.createAssistant(req) },
        { method: 'GET', path: /^\/assistant$/, handle: (req) => this.listAssistants(req) },
        { method: 'PATCH', path: /^\/assistant\/([^/]+)$/, handle: (req, [id]) => this.updateAssistant(req, id!) },
        { method: 'DELETE', path: /^\/assistant\/([^/]+)$/, handle: (req, [id]) => this.deleteAssistant(req, id!) },
        { method: 'GET', path: /^\/call\/([^/]+)$/, handle: (req, [id]) => this.getCall(req, id!) },
        { method: 'GET', path: /^\/call$/, handle: (req) => this.listCalls(req) },
        { method: 'POST', path: /^\/call$/, handle: (req) => this.createCall(req) },
        { method: 'GET', path: /^\/phone-number$/, handle: (req) => this.listPhoneNumbers(req) },
        { method: 'POST', path: /^\/phone-number$/, handle: (req) => this.createPhoneNumber(req) },
        { method: 'PATCH', path: /^\/phone-number\/([^/]+)$/, handle: (req, [id]) => this.updatePhoneNumber(req, id!) },
      ],
      {
        authenticate: (req) =>
          req.headers.authorization === `Bearer ${this.apiKey}`
            ? null
            : { status: 401, body: { message: 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.', error: 'Unauthorized', statusCode: 401 } },
        violation: (message) => ({ status: 400, body: { message: [message], error: 'Bad Request', statusCode: 400 } }),
        noRoute: (req) => ({ status: 404, body: { message: `Cannot ${req.method} ${req.path}`, error: 'Not Found', statusCode: 404 } }),
      },
    );
  }

  start(): Promise<string> {
    return this.server.start();
  }
  stop(): Promise<void> {
    return this.server.stop();
  }

  private getCall(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    expectQuery(req, []);
    const call = this.calls.get(id);
    return call ? { status: 200, body: call } : notFound();
  }

  private createCall(req: RecordedRequest): FakeReply {
    const body = expectJson(req, createCallBody);
    const bad = (message: string): FakeReply => ({ status: 400, body: { message: [message], error: 'Bad Request', statusCode: 400 } });
    if (!body.assistantId) return bad('assistantId or assistant must be provided');
    if (!this.assistants.has(body.assistantId)) return bad("Couldn't Get Assistant. `assistantId` Is Invalid.");
    if (!body.phoneNumberId || !this.phoneNumbers.has(body.phoneNumberId)) return bad("Couldn't Get Phone Number. `phoneNumberId` Is Invalid.");
    if (!body.customer?.number && !body.customerId) return bad('customer or customerId must be provided for an outbound phone call');
    const now = new Date().toISOString();
    const call = { ...body, id: randomUUID(), orgId: this.orgId, type: 'outboundPhoneCall', status: 'queued', createdAt: now, updatedAt: now };
    this.calls.set(call.id, call);
    this.placedCallIds.push(call.id);
    return { status: 201, body: call };
  }

  /** GET /call: newest first, filtered by assistantId / phoneNumberId / id. */
  private listCalls(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    expectQuery(req, LIST_CALL_QUERY);
    const max = req.query.has('limit') ? check(limit, req.query.get('limit')) : 100;
    const filters = (['id', 'assistantId', 'phoneNumberId'] as const).map((k) => [k, req.query.get(k)] as const);
    const found = [...this.calls.values()]
      .reverse()
      .filter((c) => filters.every(([k, v]) => v === null || c[k] === v));
    return { status: 200, body: found.slice(0, max) };
  }

  private createAssistant(req: RecordedRequest): FakeReply {
    const body = expectJson(req, createAssistantBody);
    const now = new Date().toISOString();
    const assistant: FakeVapiAssistant = { ...body, id: randomUUID(), orgId: this.orgId, createdAt: now, updatedAt: now };
    this.assistants.set(assistant.id, assistant);
    return { status: 201, body: assistant };
  }

  private listAssistants(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    expectQuery(req, ['limit', 'createdAtGt', 'createdAtLt', 'createdAtGe', 'createdAtLe', 'updatedAtGt', 'updatedAtLt', 'updatedAtGe', 'updatedAtLe']);
    const max = req.query.has('limit') ? check(limit, req.query.get('limit')) : 100;
    const newestFirst = [...this.assistants.values()].reverse();
    return { status: 200, body: newestFirst.slice(0, max) };
  }

  private updateAssistant(req: RecordedRequest, id: string): FakeReply {
    const body = expectJson(req, updateAssistantBody);
    const assistant = this.assistants.get(id);
    if (!assistant) return notFound();
    Object.assign(assistant, body, { updatedAt: new Date().toISOString() });
    return { status: 200, body: assistant };
  }

  private deleteAssistant(req: RecordedRequest, id: string): FakeReply {
    expectNoBody(req);
    const assistant = this.assistants.get(id);
    if (!assistant) return notFound();
    this.assistants.delete(id);
    return { status: 200, body: assistant };
  }

  private listPhoneNumbers(req: RecordedRequest): FakeReply {
    expectNoBody(req);
    expectQuery(req, ['limit', 'createdAtGt', 'createdAtLt', 'createdAtGe', 'createdAtLe', 'updatedAtGt', 'updatedAtLt', 'updatedAtGe', 'updatedAtLe']);
    const max = req.query.has('limit') ? check(limit, req.query.get('limit')) : 100;
    return { status: 200, body: [...this.phoneNumbers.values()].slice(0, max) };
  }

  private createPhoneNumber(req: RecordedRequest): FakeReply {
    const body = expectJson(req, createPhoneBody);
    if ([...this.phoneNumbers.values()].some((p) => p.number === body.number)) {
      return { status: 400, body: { message: ['Number Already Exists.'], error: 'Bad Request', statusCode: 400 } };
    }
    if (body.assistantId && !this.assistants.has(body.assistantId)) {
      return { status: 400, body: { message: ['Couldn\'t Find Assistant.'], error: 'Bad Request', statusCode: 400 } };
    }
    const now = new Date().toISOString();
    const { twilioAuthToken: _secret, ...visible } = body;
    const phone: FakeVapiPhoneNumber = { ...visible, id: randomUUID(), orgId: this.orgId, createdAt: now, updatedAt: now };
    this.phoneNumbers.set(phone.id, phone);
    return { status: 201, body: phone };
  }

  private updatePhoneNumber(req: RecordedRequest, id: string): FakeReply {
    const body = expectJson(req, updatePhoneBody);
    const phone = this.phoneNumbers.get(id);
    if (!phone) return notFound();
    if (body.assistantId && !this.assistants.has(body.assistantId)) {
      return { status: 400, body: { message: ['Couldn\'t Find Assistant.'], error: 'Bad Request', statusCode: 400 } };
    }
    Object.assign(phone, body, { updatedAt: new Date().toISOString() });
    return { status: 200, body: phone };
  }
}
