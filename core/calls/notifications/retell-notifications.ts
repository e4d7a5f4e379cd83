import { z } from 'zod';
import type { CallStatus, PlatformAnalysis, PlatformCall, PlatformNotification } from '../call-types';
import {
  boundedValue,
  checkFreshness,
  constantTimeEqual,
  dateFromUnixMs,
  dedupeKey,
  finiteNumber,
  hmacSha256Hex,
  requireSecret,
  idString,
  longText,
  MAX_TURNS,
  NotificationRejected,
  NotificationRequest,
  ourCallIdIn,
  parseBody,
  PlatformNotificationReader,
  ReaderOptions,
  sha256Hex,
  shortText,
  singleHeader,
  speechTurns,
  toE164,
  turnText,
  urlString,
} from './notification-reading';

/*
 * Retell webhooks (https://docs.retellai.com/features/webhook-overview): `{event, call}` POSTed to
 * the agent's `webhook_url` (or the account's), for `call_started`, `call_ended` (the call object
 * without `call_analysis`) and `call_analyzed` (with it); other events are acknowledged as `other`.
 * Only `call_analyzed` ends the call for the workflow; `call_started` and `call_ended` are `started`.
 * The call object is GET /v2/get-call/{call_id}'s (https://docs.retellai.com/api-references/get-call;
 * types as in github.com/RetellAI/retell-typescript-sdk src/resources/call.ts).
 *
 * Signature: "use the x-retell-signature header together with your Retell API Key" (same page).
 * The algorithm is the SDK's `verify` (retell-typescript-sdk src/lib/webhook_auth.ts, v5.60):
 * header `v=<unix ms>,d=<64 hex>` matched whole, d = hex HMAC-SHA256 of (raw body + the decimal
 * timestamp) keyed with the API key, refused when the stamp is more than 5 minutes from now in
 * either direction. Older SDK versions re-serialised the parsed body (JSON.stringify) before
 * hashing; Retell sends compact JSON, so the raw body is those same bytes, and the current SDK
 * insists on the raw body.
 */

export const RETELL_SIGNATURE_HEADER = 'x-retell-signature';
export const RETELL_TOLERANCE_MS = 5 * 60 * 1000;
/**
 * The key under which an outbound call carries our call ID in its `metadata` (set by the
 * adapter's placeCall, echoed back on the call). Defined here, not in the adapter, so the adapter
 * imports the reader and never the other way round.
 */
export const RETELL_CALL_ID_KEY = 'wfw_call_id';
const SIGNATURE = /^v=(\d+),d=([0-9a-f]{64})$/i;

const word = z.object({ start: finiteNumber.nullish(), end: finiteNumber.nullish() });
const utterance = z.object({
  role: shortText,
  content: turnText.nullish(),
  // Only the first and last word's times are used, but every word is validated, so the count is capped with the turn's text.
  words: z.array(word).max(20_000).nullish(),
});

/** A call as GET /v2/get-call/{call_id} answers it, and as webhooks carry it under `call`. */
export const retellCall = z.object({
  call_id: idString,
  agent_id: idString,
  call_type: shortText.nullish(),
  call_status: shortText.nullish(),
  direction: z.enum(['inbound', 'outbound']).nullish(),
  from_number: shortText.nullish(),
  to_number: shortText.nullish(),
  start_timestamp: finiteNumber.nullish(),
  end_timestamp: finiteNumber.nullish(),
  duration_ms: finiteNumber.nullish(),
  disconnection_reason: shortText.nullish(),
  recording_url: urlString.nullish(),
  transcript_object: z.array(utterance).max(MAX_TURNS).nullish(),
  call_cost: z.object({ combined_cost: finiteNumber.nullish() }).nullish(),
  call_analysis: z
    .object({
      call_summary: longText.nullish(),
      call_successful: z.boolean().nullish(),
      in_voicemail: z.boolean().nullish(),
      user_sentiment: shortText.nullish(),
      custom_analysis_data: boundedValue.nullish(),
    })
    .nullish(),
  // Free-form and ours only by convention: read leniently (ourCallIdIn), never a reason to refuse the call.
  metadata: z.unknown().optional(),
});
export type RetellCall = z.infer<typeof retellCall>;

const webhook = z.object({ event: idString, call: z.unknown().optional() });

/** disconnection_reason values that mean the call never really happened, in our words. */
function endedStatus(reason: string | null | undefined): CallStatus {
  switch (reason) {
    case 'dial_no_answer':
    case 'voicemail_reached':
    case 'user_declined':
      return 'no_answer';
    case 'dial_busy':
      return 'busy';
    case 'dial_failed':
    case 'invalid_destination':
    case 'telephony_provider_permission_denied':
    case 'telephony_provider_unavailable':
    case 'sip_routing_error':
    case 'concurrency_limit_reached':
    case 'no_concurrency_fallback':
    case 'no_valid_payment':
    case 'marked_as_spam':
    case 'scam_detected':
    case 'registered_call_timeout':
      return 'failed';
    case 'manual_stopped':
      return 'canceled';
    default:
      return reason?.startsWith('error_') ? 'failed' : 'completed';
  }
}

/** call_status: registered (not yet connected), not_connected, ongoing, ended, error. */
function callStatus(call: RetellCall): CallStatus {
  switch (call.call_status) {
    case 'registered':
      return 'queued';
    case 'ongoing':
      return 'in_progress';
    case 'not_connected': {
      // A call that never connected did not complete, whatever (or whether) a reason is given.
      const status = endedStatus(call.disconnection_reason);
      return status === 'completed' ? 'failed' : status;
    }
    case 'error':
      return 'failed';
    case 'ended':
      return endedStatus(call.disconnection_reason);
    default:
      return call.end_timestamp ? endedStatus(call.disconnection_reason) : 'in_progress';
  }
}

/** One call in our shape; shared by the webhook and the polling fallback (getCall). */
export function normaliseRetellCall(call: RetellCall): PlatformCall {
  const startedAt = dateFromUnixMs(call.start_timestamp);
  const endedAt = dateFromUnixMs(call.end_timestamp);
  const a = call.call_analysis ?? null;
  const custom = a?.custom_analysis_data;
  const data: Record<string, unknown> = typeof custom === 'object' && custom !== null && !Array.isArray(custom) ? { ...(custom as Record<string, unknown>) } : {};
  if (a?.user_sentiment) data.user_sentiment = a.user_sentiment;
  if (typeof a?.in_voicemail === 'boolean') data.in_voicemail = a.in_voicemail;
  const analysis: PlatformAnalysis | null = a ? { summary: a.call_summary ?? null, successful: a.call_successful ?? null, data } : null;
  const combinedCents = call.call_cost?.combined_cost;
  return {
    platform: 'retell',
    platform_call_id: call.call_id,
    platform_agent_id: call.agent_id,
    direction: call.direction ?? null,
    status: callStatus(call),
    // Web calls carry no numbers.
    from_number: toE164(call.from_number),
    to_number: toE164(call.to_number),
    started_at: startedAt,
    ended_at: endedAt,
    duration_seconds: typeof call.duration_ms === 'number' ? call.duration_ms / 1000 : startedAt && endedAt ? (endedAt.getTime() - startedAt.getTime()) / 1000 : null,
    // "Combined cost of all individual costs in cents".
    cost_usd: typeof combinedCents === 'number' ? combinedCents / 100 : null,
    recording_url: call.recording_url ?? null,
    // transfer_target (a human after a transfer) is neither our agent nor the caller: dropped with tool turns.
    turns: speechTurns(call.transcript_object ?? [], (u) => {
      const words = u.words ?? [];
      return { role: u.role, text: u.content, start: words[0]?.start ?? null, end: words[words.length - 1]?.end ?? null };
    }),
    analysis,
    ended_reason: call.disconnection_reason ?? null,
    ...ourCallIdOf(call),
  };
}

/** Our call ID from `metadata`, when we placed the call; an empty object when absent or not one of our IDs. */
function ourCallIdOf(call: RetellCall): Pick<PlatformCall, 'our_call_id'> {
  const id = ourCallIdIn(call.metadata, RETELL_CALL_ID_KEY);
  return id ? { our_call_id: id } : {};
}

export class RetellNotificationReader implements PlatformNotificationReader {
  readonly platform = 'retell' as const;
  private readonly toleranceMs: number;

  constructor(options: ReaderOptions = {}) {
    this.toleranceMs = options.toleranceMs ?? RETELL_TOLERANCE_MS;
  }

  /** `secret` is the account's Retell API key (the one with webhook permission). */
  verify(req: NotificationRequest, secret: string): void {
    requireSecret(secret);
    const header = singleHeader(req, RETELL_SIGNATURE_HEADER);
    if (!header) throw new NotificationRejected('unsigned', 'no x-retell-signature header');
    const match = SIGNATURE.exec(header.trim());
    if (!match) throw new NotificationRejected('bad_signature', 'x-retell-signature is not v=<ms>,d=<hex>');
    const timestamp = match[1]!;
    checkFreshness(Number(timestamp), req.now, this.toleranceMs);
    const expected = hmacSha256Hex(secret, req.rawBody, timestamp);
    if (!constantTimeEqual(match[2]!.toLowerCase(), expected)) throw new NotificationRejected('bad_signature', 'x-retell-signature does not match the body');
  }

  parse(rawBody: Buffer): PlatformNotification {
    const event = parseBody(rawBody, webhook);
    let call: PlatformCall | null = null;
    let kind: PlatformNotification['kind'] = 'other';
    if (event.event === 'call_started' || event.event === 'call_ended' || event.event === 'call_analyzed') {
      const parsed = retellCall.safeParse(event.call);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map((i) => `call.${i.path.join('.')}: ${i.message}`).join('; ');
        throw new NotificationRejected('malformed', `not the documented payload (${issues})`.slice(0, 500));
      }
      call = normaliseRetellCall(parsed.data);
      // Retell sends two notifications at the end: call_ended as soon as the line drops (transcript,
      // no call_analysis) and call_analyzed once its post-call analysis has run (the same call with
      // call_analysis: summary, success, custom data). The call workflow acts on the first `ended`
      // it gets, so only call_analyzed is the end-of-call report; call_ended is `started` (the call
      // is known, and has ended, but is not final yet). Should call_analyzed never come, the
      // workflow's end-wait timer and its polling of get-call finish the call.
      kind = event.event === 'call_analyzed' ? 'ended' : 'started';
    }
    const callId = call?.platform_call_id ?? callIdOf(event.call);
    const lifecycle = event.event === 'call_started' || event.event === 'call_ended' || event.event === 'call_analyzed';
    return {
      platform: 'retell',
      kind,
      event_type: event.event,
      // No event ID is sent. The lifecycle events fire once per call; others (transcript_updated,
      // transfer_*) repeat, and are told apart by their body, which a retry resends unchanged.
      dedupe_key: dedupeKey('retell', { derivedFrom: [event.event, callId, lifecycle ? null : sha256Hex(rawBody)] }),
      occurred_at: occurredAt(event.event, call),
      call,
    };
  }
}

function occurredAt(event: string, call: PlatformCall | null): Date | null {
  if (!call) return null;
  return event === 'call_started' ? call.started_at : call.ended_at;
}

function callIdOf(call: unknown): string | null {
  const id = (call as { call_id?: unknown } | null | undefined)?.call_id;
  return typeof id === 'string' ? id.slice(0, 256) : null;
}
