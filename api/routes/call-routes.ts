import { z } from 'zod';
import type { CallIngestionService } from '../../core/calls/call-ingestion-service';
import type { CallService, TranscriptView } from '../../core/calls/call-service';
import { CALL_DIRECTIONS, CALL_STATUSES } from '../../core/calls/call-types';
import type { TestCallService } from '../../core/calls/test-call-service';
import { isId } from '../../core/ids/ids';
import { pageQuerySchema } from '../../core/pagination/pagination';
import { PLATFORM_NAMES } from '../../core/platforms/platform-adapter';
import { MAX_NOTIFICATION_BYTES } from '../../core/calls/notifications/platform-notification-reader';
import { defineRoute, RouteResult, RouteSpec } from '../http/route';
import { readBody } from '../http/request-body';
import { listSchema } from '../openapi/common-schemas';
import { callSchema, extractionSchema, notificationReceiptSchema, outboundCallBodySchema, testCallBodySchema, transcriptSchema } from './call-schemas';
import type { OutboundCallService } from '../../core/calls/outbound-call-service';
import { VAPI_KNOWLEDGE_BASE_SUFFIX } from '../../core/calls/notifications/vapi-knowledge-base-request';
import type { KnowledgeBaseServer } from '../../core/knowledge-base/knowledge-base-server';
import { idParam } from './route-params';

const callListQuery = pageQuerySchema.extend({
  agent_id: z.string().max(64).optional(),
  direction: z.enum(CALL_DIRECTIONS).optional(),
  status: z.enum(CALL_STATUSES).optional(),
  disposition: z.string().max(64).optional(),
  from: z.coerce.date().optional().describe('Calls that started at or after this time (ISO 8601).'),
  to: z.coerce.date().optional().describe('Calls that started at or before this time (ISO 8601).'),
});


// (MAX_NOTIFICATION_BYTES: platforms post whole call reports, transcripts included.)

/** Vapi's ServerMessageResponseKnowledgeBaseRequest, documents only. */
const knowledgeBaseAnswerSchema = z
  .object({
    documents: z.array(z.object({ content: z.string(), similarity: z.number().min(0).max(1) })).describe('The most relevant documents first, each fenced as website data.'),
  })
  .meta({ id: 'KnowledgeBaseServerAnswer' });

const accountIdParam = z.string().refine((v) => isId('account', v), { message: 'must be an account ID (acct_…)' });

export function callRoutes(deps: { calls: CallService; ingestion: CallIngestionService; testCalls: TestCallService; outbound: OutboundCallService; knowledgeBaseServer: KnowledgeBaseServer }): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v2/calls',
      operationId: 'placeCall',
      summary: 'Place an outbound call',
      description:
        'Holds credit for the call (402 INSUFFICIENT_CREDIT when the balance cannot cover it), then the call’s workflow places it through the agent’s platform — now, or at scheduled_at — and continues as an inbound call does: record, transcript, extraction, events. The hold is captured at the real duration and the rest released. On the local platform `simulation` says how the callee behaves.',
      tag: 'calls',
      scope: 'calls:write',
      body: outboundCallBodySchema,
      errors: ['NOT_FOUND', 'CONFLICT', 'INSUFFICIENT_CREDIT'],
      responses: { 202: { description: 'The call, queued; `call_id` is also its workflow ID.', schema: callSchema.extend({ call_id: z.string() }) } },
      async handler({ body, principal, idempotency }) {
        return { status: 202, body: await deps.outbound.place(principal.accountId, body, idempotency) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/calls/{id}/cancel',
      operationId: 'cancelCall',
      summary: 'Cancel a queued or scheduled outbound call',
      description: 'The call is not placed and its credit hold is released; a call the platform is already dialling runs on. Poll the call for `canceled`.',
      tag: 'calls',
      scope: 'calls:write',
      params: idParam('call'),
      errors: ['NOT_FOUND', 'INVALID_ID', 'CONFLICT'],
      responses: { 202: { description: 'Cancellation requested.', schema: callSchema } },
      async handler({ params, principal }) {
        return { status: 202, body: await deps.outbound.cancel(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/calls',
      operationId: 'listCalls',
      summary: 'List calls',
      tag: 'calls',
      scope: 'calls:read',
      query: callListQuery,
      errors: ['INVALID_CURSOR'],
      responses: { 200: { description: 'A page of calls, newest first.', schema: listSchema(callSchema, 'CallList') } },
      async handler({ query, principal }) {
        const { limit, cursor, ...filter } = query;
        return { status: 200, body: await deps.calls.list(principal.accountId, filter, { limit, cursor }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/calls/{id}',
      operationId: 'getCall',
      summary: 'A call',
      tag: 'calls',
      scope: 'calls:read',
      params: idParam('call'),
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 200: { description: 'The call record.', schema: callSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.calls.get(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/calls/{id}/transcript',
      operationId: 'getCallTranscript',
      summary: 'A call’s transcript',
      description: 'Turn by turn. `Accept: text/plain` gives "Agent: …" lines, `Accept: text/vtt` WebVTT captions; JSON otherwise.',
      tag: 'calls',
      scope: 'calls:read',
      params: idParam('call'),
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 200: { description: 'The transcript (masked unless the account turned masking off).', schema: transcriptSchema } },
      async handler({ params, principal, ctx }): Promise<RouteResult> {
        const transcript = await deps.calls.transcript(principal.accountId, params.id);
        const wanted = ctx.accepts('application/json', 'text/plain', 'text/vtt');
        if (wanted === 'text/plain') return { status: 200, body: asPlainText(transcript), headers: { 'Content-Type': 'text/plain; charset=utf-8', Vary: 'Accept' } };
        if (wanted === 'text/vtt') return { status: 200, body: asWebVtt(transcript), headers: { 'Content-Type': 'text/vtt; charset=utf-8', Vary: 'Accept' } };
        return { status: 200, body: transcript, headers: { Vary: 'Accept' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/calls/{id}/extractions',
      operationId: 'getCallExtractions',
      summary: 'What was extracted from a call',
      description: 'Every field of the agent’s extraction schema with its value, a confidence 0..1 and the caller’s words it came from.',
      tag: 'calls',
      scope: 'calls:read',
      params: idParam('call'),
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 200: { description: 'The extraction (status pending until the call has ended and been analysed).', schema: extractionSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.calls.extraction(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/agents/{id}/test-calls',
      operationId: 'createTestCall',
      summary: 'Run a test conversation through the post-call path',
      description:
        'The local simulator delivers the conversation as a signed end-of-call notification to the ingestion route, so it takes the production path: call record, transcript, extraction, disposition and events, marked `test: true` and never billed. Poll the call or wait for `call.extractions_ready`.',
      tag: 'calls',
      scope: 'calls:write',
      params: idParam('agent'),
      body: testCallBodySchema,
      errors: ['NOT_FOUND', 'INVALID_ID', 'CONFLICT'],
      responses: { 202: { description: 'The call, queued.', schema: callSchema } },
      async handler({ params, body, principal, idempotency }) {
        return { status: 202, body: await deps.testCalls.start(principal.accountId, params.id, body, idempotency) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/platform-notifications/{platform}/{account_id}',
      operationId: 'ingestPlatformNotification',
      summary: 'Where voice platforms post call events',
      description:
        'Set at deploy as the agent’s webhook/server URL. Authenticated by the platform’s own signature with the account’s secret for it (ElevenLabs `ElevenLabs-Signature`, Vapi `X-Vapi-Secret`, Retell `x-retell-signature` keyed with the Retell API key, local `Wfw-Local-Signature`). Duplicates are answered `duplicate` and change nothing.',
      tag: 'calls',
      scope: 'public',
      params: z.object({ platform: z.enum(PLATFORM_NAMES), account_id: accountIdParam }),
      errors: ['INVALID_SIGNATURE', 'INVALID_NOTIFICATION', 'NOT_FOUND', 'PLATFORM_NOT_CONFIGURED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'INVALID_JSON', 'SERVICE_UNAVAILABLE'],
      responses: { 200: { description: 'Received (or recognised as a duplicate, or not a call event).', schema: notificationReceiptSchema } },
      async handler({ params, ctx }) {
        // The signature covers the bytes as sent, so the body is read raw here, not parsed by the route.
        const body = await readBody(ctx, ['json'], MAX_NOTIFICATION_BYTES);
        const receipt = await deps.ingestion.ingest(params.platform, params.account_id, { headers: ctx.headers, rawBody: body.raw, now: new Date() });
        return { status: 200, body: receipt };
      },
    }),
    defineRoute({
      method: 'post',
      path: `/v2/platform-notifications/vapi/{account_id}${VAPI_KNOWLEDGE_BASE_SUFFIX}`,
      operationId: 'answerVapiKnowledgeBaseRequest',
      summary: 'Where Vapi asks for an agent’s knowledge-base documents',
      description:
        'Set at deploy as the assistant’s `model.knowledgeBase` (`custom-knowledge-base`) server URL when the deployment has a public base URL. Vapi posts a `knowledge-base-request` on each user turn; the answer is the agent’s synced knowledge-base version’s documents that share most keywords with the caller’s latest words, as `{documents: [{content, similarity}]}`. Authenticated like the Vapi notifications (`X-Vapi-Secret`, or an HMAC credential). Writes nothing.',
      tag: 'calls',
      scope: 'public',
      params: z.object({ account_id: accountIdParam }),
      errors: ['INVALID_SIGNATURE', 'INVALID_NOTIFICATION', 'NOT_FOUND', 'PLATFORM_NOT_CONFIGURED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'INVALID_JSON'],
      responses: { 200: { description: 'The relevant documents (none when nothing matches).', schema: knowledgeBaseAnswerSchema } },
      async handler({ params, ctx }) {
        // Read raw: an HMAC credential signs the bytes as sent.
        const body = await readBody(ctx, ['json'], MAX_NOTIFICATION_BYTES);
        return { status: 200, body: await deps.knowledgeBaseServer.answerVapi(params.account_id, { headers: ctx.headers, rawBody: body.raw, now: new Date() }) };
      },
    }),
  ];
}

const SPEAKER = { agent: 'Agent', caller: 'Caller' } as const;

function asPlainText(t: TranscriptView): string {
  return t.turns.map((turn) => `${SPEAKER[turn.role]}: ${turn.text}`).join('\n') + (t.turns.length ? '\n' : '');
}

/** WebVTT cues; a turn without times takes over where the previous one ended. */
function asWebVtt(t: TranscriptView): string {
  let clock = 0;
  const cues = t.turns.map((turn, i) => {
    const start = turn.start_seconds ?? clock;
    const end = Math.max(turn.end_seconds ?? start + 4, start);
    clock = end;
    // Cue text must not contain "-->" nor blank lines; voice tags name the speaker.
    const text = turn.text.replace(/-->/g, '->').replace(/\r?\n\s*\r?\n/g, '\n').replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'));
    return `${i + 1}\n${vttTime(start)} --> ${vttTime(end)}\n<v ${SPEAKER[turn.role]}>${text}`;
  });
  return ['WEBVTT', '', ...cues.flatMap((c) => [c, ''])].join('\n');
}

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
}
