import { z } from 'zod';
import type { CallDirection, CallStatus, PlatformAnalysis, PlatformCall, PlatformNotification } from '../call-types';
import {
  boundedValue,
  checkFreshness,
  constantTimeEqual,
  dateFromUnixSeconds,
  dedupeKey,
  finiteNumber,
  hmacSha256Hex,
  requireSecret,
  idString,
  longText,
  MAX_TURNS,
  NotificationRejected,
  NotificationRequest,
  ourCallId,
  ourCallIdIn,
  parseBody,
  PlatformNotificationReader,
  ReaderOptions,
  shortText,
  singleHeader,
  speechTurns,
  toE164,
  turnText,
} from './notification-reading';

/*
 * ElevenLabs Agents post-call webhooks.
 *
 * Signature (https://elevenlabs.io/docs/eleven-agents/workflows/post-call-webhooks, "Authentication",
 * and the SDK's `webhooks.constructEvent`, github.com/elevenlabs/elevenlabs-js src/wrapper/webhooks.ts):
 * header `ElevenLabs-Signature: t=<unix seconds>,v0=<hex HMAC-SHA256 of "<t>.<raw body>">` keyed
 * with the webhook's HMAC secret (shown once when the workspace webhook is created,
 * https://elevenlabs.io/docs/eleven-api/resources/webhooks). The SDK refuses stamps older than
 * 30 minutes; we also refuse stamps that far in the future.
 *
 * Payloads (same page, "Webhook response structure"): `{type, event_timestamp, data}` where
 * `post_call_transcription.data` has the shape of GET /v1/convai/conversations/{conversation_id}
 * (https://elevenlabs.io/docs/api-reference/conversations/get; models as in elevenlabs-js
 * GetConversationResponseModel) and `call_initiation_failure.data` is
 * `{agent_id, conversation_id, failure_reason, metadata: {type, body}}`. `post_call_audio` carries
 * only base64 audio and is acknowledged as `other`.
 */

export const ELEVENLABS_SIGNATURE_HEADER = 'elevenlabs-signature';
/** The SDK's tolerance zone. */
export const ELEVENLABS_TOLERANCE_MS = 30 * 60 * 1000;

const phoneCall = z.object({
  direction: z.enum(['inbound', 'outbound']).nullish(),
  agent_number: shortText.nullish(),
  external_number: shortText.nullish(),
  type: shortText.nullish(),
});

const transcriptTurn = z.object({
  role: shortText,
  message: turnText.nullish(),
  time_in_call_secs: finiteNumber.nullish(),
});

const analysis = z.object({
  transcript_summary: longText.nullish(),
  call_successful: shortText.nullish(),
  data_collection_results: z
    .record(idString, z.object({ data_collection_id: shortText.nullish(), value: boundedValue.optional() }))
    .nullish(),
});

/** A conversation as GET /v1/convai/conversations/{id} answers it, and as post_call_transcription carries it. */
export const elevenLabsConversation = z.object({
  agent_id: idString,
  conversation_id: idString,
  status: shortText,
  transcript: z.array(transcriptTurn).max(MAX_TURNS),
  metadata: z
    .object({
      start_time_unix_secs: finiteNumber.nullish(),
      call_duration_secs: finiteNumber.nullish(),
      termination_reason: longText.nullish(),
      phone_call: phoneCall.nullish(),
    })
    .nullish(),
  analysis: analysis.nullish(),
  // Outbound calls carry our call ID as `user_id` here (placeCall sets it). Free-form to us: read
  // leniently (ourCallIdIn), never a reason to refuse the conversation.
  conversation_initiation_client_data: z.unknown().optional(),
  // The conversation's own copy of that user_id (by which GET /v1/convai/conversations?user_id filters); a fallback.
  user_id: z.unknown().optional(),
});
export type ElevenLabsConversation = z.infer<typeof elevenLabsConversation>;

const initiationFailure = z.object({
  agent_id: idString,
  conversation_id: idString,
  failure_reason: shortText.nullish(),
  metadata: z
    .object({
      type: shortText.nullish(),
      // Twilio's status-callback parameters (From, To, CallStatus…) or a SIP response: only the numbers matter here.
      body: z.object({ From: shortText.nullish(), To: shortText.nullish() }).nullish(),
    })
    .nullish(),
  // Not documented for this event; read if ElevenLabs includes it, as on the conversation.
  conversation_initiation_client_data: z.unknown().optional(),
});

const envelope = z.object({
  type: idString,
  event_timestamp: finiteNumber.nullish(),
  data: z.unknown(),
});

/** Conversation statuses (GetConversationResponseModelStatus) in our words. */
function conversationStatus(status: string): CallStatus {
  switch (status) {
    case 'done':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'initiated':
      return 'queued';
    default:
      // "in-progress" and "processing" (the call is over, analysis is running) are both not ended yet.
      return 'in_progress';
  }
}

function successFlag(result: string | null | undefined): boolean | null {
  if (result === 'success') return true;
  if (result === 'failure') return false;
  return null;
}

function numbers(direction: CallDirection | null, agentNumber: string | null | undefined, externalNumber: string | null | undefined) {
  const agent = toE164(agentNumber);
  const external = toE164(externalNumber);
  if (direction === 'outbound') return { from_number: agent, to_number: external };
  return { from_number: external, to_number: agent };
}

/** One conversation in our shape; shared by the webhook and the polling fallback (getCall). */
export function normaliseElevenLabsConversation(conversation: ElevenLabsConversation): PlatformCall {
  const metadata = conversation.metadata ?? {};
  const phone = metadata.phone_call ?? null;
  const direction = phone?.direction ?? null;
  const startedAt = dateFromUnixSeconds(metadata.start_time_unix_secs);
  const duration = metadata.call_duration_secs ?? null;
  const status = conversationStatus(conversation.status);
  let platformAnalysis: PlatformAnalysis | null = null;
  if (conversation.analysis) {
    const data: Record<string, unknown> = {};
    for (const [id, result] of Object.entries(conversation.analysis.data_collection_results ?? {})) data[id] = result.value ?? null;
    platformAnalysis = {
      summary: conversation.analysis.transcript_summary ?? null,
      successful: successFlag(conversation.analysis.call_successful),
      data,
    };
  }
  return {
    platform: 'elevenlabs',
    platform_call_id: conversation.conversation_id,
    platform_agent_id: conversation.agent_id,
    direction,
    status,
    ...numbers(direction, phone?.agent_number, phone?.external_number),
    started_at: startedAt,
    ended_at: startedAt && duration !== null && status !== 'in_progress' && status !== 'queued' ? new Date(startedAt.getTime() + duration * 1000) : null,
    duration_seconds: duration,
    // metadata.cost is in ElevenLabs credits, not money: there is no USD figure to report.
    cost_usd: null,
    // Audio is served by GET /v1/convai/conversations/{id}/audio behind the API key, not at a URL we could keep.
    recording_url: null,
    turns: speechTurns(conversation.transcript, (t) => ({ role: t.role, text: t.message, start: t.time_in_call_secs ?? null, end: null })),
    analysis: platformAnalysis,
    ended_reason: metadata.termination_reason ?? null,
    ...ourCallIdOf(conversation.conversation_initiation_client_data, conversation.user_id),
  };
}

/** Our call ID from `conversation_initiation_client_data.user_id` (else the conversation's `user_id`); an empty object when absent or not one of our IDs. */
function ourCallIdOf(clientData: unknown, userId?: unknown): Pick<PlatformCall, 'our_call_id'> {
  const id = ourCallIdIn(clientData, 'user_id') ?? ourCallId(userId);
  return id ? { our_call_id: id } : {};
}

/** `failure_reason` is documented as "busy", "no-answer" or "unknown". */
function initiationFailureCall(data: z.infer<typeof initiationFailure>): PlatformCall {
  const status: CallStatus = data.failure_reason === 'busy' ? 'busy' : data.failure_reason === 'no-answer' ? 'no_answer' : 'failed';
  const body = data.metadata?.body ?? null;
  return {
    platform: 'elevenlabs',
    platform_call_id: data.conversation_id,
    platform_agent_id: data.agent_id,
    // Only outbound calls are "initiated" by the platform; an inbound call that fails never reaches the agent.
    direction: 'outbound',
    status,
    from_number: toE164(body?.From),
    to_number: toE164(body?.To),
    started_at: null,
    ended_at: null,
    duration_seconds: 0,
    cost_usd: null,
    recording_url: null,
    turns: [],
    analysis: null,
    ended_reason: data.failure_reason ?? null,
    ...ourCallIdOf(data.conversation_initiation_client_data),
  };
}

export class ElevenLabsNotificationReader implements PlatformNotificationReader {
  readonly platform = 'elevenlabs' as const;
  private readonly toleranceMs: number;

  constructor(options: ReaderOptions = {}) {
    this.toleranceMs = options.toleranceMs ?? ELEVENLABS_TOLERANCE_MS;
  }

  verify(req: NotificationRequest, secret: string): void {
    requireSecret(secret);
    const header = singleHeader(req, ELEVENLABS_SIGNATURE_HEADER);
    if (!header) throw new NotificationRejected('unsigned', 'no ElevenLabs-Signature header');
    let timestamp: string | undefined;
    const signatures: string[] = [];
    for (const part of header.split(',')) {
      const item = part.trim();
      if (item.startsWith('t=')) timestamp ??= item.slice(2);
      else if (item.startsWith('v0=')) signatures.push(item.slice(3));
    }
    if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) {
      throw new NotificationRejected('bad_signature', 'ElevenLabs-Signature has no t= timestamp and v0= signature');
    }
    checkFreshness(Number(timestamp) * 1000, req.now, this.toleranceMs);
    const expected = hmacSha256Hex(secret, `${timestamp}.`, req.rawBody);
    // Several v0 values may be present (as in Stripe-style schemes during secret rotation); any match will do.
    let matched = false;
    for (const candidate of signatures) matched = constantTimeEqual(candidate.toLowerCase(), expected) || matched;
    if (!matched) throw new NotificationRejected('bad_signature', 'ElevenLabs-Signature does not match the body');
  }

  parse(rawBody: Buffer): PlatformNotification {
    const event = parseBody(rawBody, envelope);
    const occurredAt = dateFromUnixSeconds(event.event_timestamp);
    let call: PlatformCall | null = null;
    let kind: PlatformNotification['kind'] = 'other';
    if (event.type === 'post_call_transcription') {
      call = normaliseElevenLabsConversation(parseData(event.data, elevenLabsConversation));
      kind = 'ended';
    } else if (event.type === 'call_initiation_failure') {
      call = initiationFailureCall(parseData(event.data, initiationFailure));
      kind = 'ended';
    }
    const conversationId = call?.platform_call_id ?? conversationIdOf(event.data);
    return {
      platform: 'elevenlabs',
      kind,
      event_type: event.type,
      // No event ID is sent. Each event type fires once per conversation, and event_timestamp is
      // the event's (the signing `t` is the delivery's and may be renewed on a retry).
      dedupe_key: dedupeKey('elevenlabs', { derivedFrom: [event.type, conversationId, event.event_timestamp] }),
      occurred_at: occurredAt,
      call,
    };
  }
}

function parseData<S extends z.ZodType>(data: unknown, schema: S): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `data.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new NotificationRejected('malformed', `not the documented payload (${issues})`.slice(0, 500));
  }
  return parsed.data;
}

function conversationIdOf(data: unknown): string | null {
  const id = (data as { conversation_id?: unknown } | null)?.conversation_id;
  return typeof id === 'string' ? id.slice(0, 256) : null;
}
