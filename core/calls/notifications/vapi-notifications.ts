import { z } from 'zod';
import type { CallDirection, CallStatus, PlatformAnalysis, PlatformCall, PlatformNotification } from '../call-types';
import {
  boundedRecord,
  checkFreshness,
  constantTimeEqual,
  dateFromIso,
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
 * Vapi server messages (https://docs.vapi.ai/server-url/events): POSTed to the assistant's
 * `server.url` as `{message: {type, ...}}`. We subscribe to `status-update` (every change of
 * `call.status`) and `end-of-call-report` (once, after post-processing). Field shapes as in the
 * API reference and github.com/VapiAI/server-sdk-typescript (ServerMessageStatusUpdate,
 * ServerMessageEndOfCallReport, Call, Artifact, Analysis, CallEndedReason).
 *
 * Authentication (https://docs.vapi.ai/server-url/server-authentication) is whatever the server
 * configuration asks for; two schemes prove a request came from Vapi, and we accept either:
 *  - the legacy shared secret, sent verbatim in `X-Vapi-Secret` ("Legacy X-Vapi-Secret Support":
 *    the inline `server.secret`, or a Bearer Token credential with that header and no prefix).
 *    It proves the sender knows the secret but signs neither body nor time, so it is compared in
 *    constant time and nothing more can be checked;
 *  - an HMAC credential: hex HMAC-SHA256 of `{timestamp}.{body}` in `x-signature`, the time in
 *    `x-timestamp` (the HMACAuthenticationPlan defaults). Vapi documents no tolerance; we allow
 *    five minutes either way, the common convention, configurable.
 */

export const VAPI_SECRET_HEADER = 'x-vapi-secret';
export const VAPI_HMAC_SIGNATURE_HEADER = 'x-signature';
export const VAPI_HMAC_TIMESTAMP_HEADER = 'x-timestamp';
export const VAPI_HMAC_TOLERANCE_MS = 5 * 60 * 1000;
/**
 * The key under which an outbound call carries our call ID in `assistantOverrides.metadata`
 * (set by the adapter's placeCall, echoed back on the call). Defined here, not in the adapter,
 * so the adapter imports the reader and never the other way round.
 */
export const VAPI_CALL_ID_KEY = 'wfw_call_id';

export interface VapiReaderOptions extends ReaderOptions {
  /** Header names of the HMAC credential, when it was created with other than the defaults. */
  hmacSignatureHeader?: string;
  hmacTimestampHeader?: string;
}

// Tool-call items have other fields and no `message`; they parse and are dropped as non-speech.
const message = z.object({
  role: shortText.optional(),
  message: turnText.nullish(),
  time: finiteNumber.nullish(),
  endTime: finiteNumber.nullish(),
  secondsFromStart: finiteNumber.nullish(),
});

const artifact = z.object({
  messages: z.array(message).max(MAX_TURNS).nullish(),
  recordingUrl: urlString.nullish(),
  recording: z.object({ mono: z.object({ combinedUrl: urlString.nullish() }).nullish() }).nullish(),
});

const analysis = z.object({
  summary: longText.nullish(),
  structuredData: boundedRecord.nullish(),
  successEvaluation: longText.nullish(),
});

const numberHolder = z.object({ number: shortText.nullish() });

/** A call as GET /call/{id} answers it, and as server messages embed it under `message.call`. */
export const vapiCall = z.object({
  id: idString,
  assistantId: idString.nullish(),
  type: shortText.nullish(),
  status: shortText.nullish(),
  endedReason: shortText.nullish(),
  startedAt: shortText.nullish(),
  endedAt: shortText.nullish(),
  cost: finiteNumber.nullish(),
  artifact: artifact.nullish(),
  analysis: analysis.nullish(),
  customer: numberHolder.nullish(),
  phoneNumber: numberHolder.nullish(),
  // Free-form and ours only by convention: read leniently (ourCallIdIn), never a reason to refuse the call.
  assistantOverrides: z.unknown().optional(),
  metadata: z.unknown().optional(),
});
export type VapiCall = z.infer<typeof vapiCall>;

const serverMessage = z.object({
  message: z.object({
    type: idString,
    timestamp: finiteNumber.nullish(),
    status: shortText.nullish(),
    endedReason: shortText.nullish(),
    startedAt: shortText.nullish(),
    endedAt: shortText.nullish(),
    cost: finiteNumber.nullish(),
    artifact: artifact.nullish(),
    analysis: analysis.nullish(),
    customer: numberHolder.nullish(),
    phoneNumber: numberHolder.nullish(),
    call: vapiCall.nullish(),
  }),
});

/** `endedReason` values (CallEndedReason) that are not "the call happened and ended". */
function endedStatus(reason: string | null | undefined): CallStatus {
  if (!reason) return 'completed';
  if (reason === 'customer-did-not-answer' || reason === 'voicemail') return 'no_answer';
  if (reason === 'customer-busy') return 'busy';
  if (reason === 'manually-canceled' || reason === 'scheduled-call-deleted' || reason === 'call-deleted') return 'canceled';
  // Every failure reason names itself: pipeline-error-*, call.start.error-*, *fault*, twilio-failed-to-connect-call, vonage-rejected…
  if (/error|fault|failed|rejected|misdialed|not-found|not-valid|no-call-received/.test(reason)) return 'failed';
  return 'completed';
}

/** `call.status` (CallStatus) in our words; "ended" depends on why. */
function callStatus(status: string | null | undefined, reason: string | null | undefined): CallStatus {
  switch (status) {
    case 'scheduled':
    case 'queued':
      return 'queued';
    case 'ringing':
      return 'ringing';
    case 'in-progress':
    case 'forwarding':
      return 'in_progress';
    case 'ended':
      return endedStatus(reason);
    default:
      return reason ? endedStatus(reason) : 'in_progress';
  }
}

function direction(type: string | null | undefined): CallDirection | null {
  if (type === 'inboundPhoneCall') return 'inbound';
  if (type === 'outboundPhoneCall') return 'outbound';
  return null;
}

/** `successEvaluation` is a string whatever the rubric: "true"/"false" for the default pass/fail rubric. */
function successFlag(evaluation: string | null | undefined): boolean | null {
  const value = evaluation?.trim().toLowerCase();
  if (value === 'true' || value === 'pass') return true;
  if (value === 'false' || value === 'fail') return false;
  return null;
}

/**
 * One call in our shape; shared by the webhook and the polling fallback (getCall). Fields of the
 * message itself (end-of-call-report puts the final artifact, analysis and times there) win over
 * the embedded call, which is a snapshot from the start of the call.
 */
export function normaliseVapiCall(call: VapiCall, report: Partial<Omit<VapiCall, 'id'>> = {}): PlatformCall {
  const pick = <K extends keyof VapiCall>(key: K): VapiCall[K] | undefined => (report[key as keyof typeof report] as VapiCall[K] | undefined) ?? call[key];
  const dir = direction(call.type);
  const customer = toE164(pick('customer')?.number);
  const ours = toE164(pick('phoneNumber')?.number);
  const startedAt = dateFromIso(pick('startedAt'));
  const endedAt = dateFromIso(pick('endedAt'));
  const art = pick('artifact') ?? null;
  const an = pick('analysis') ?? null;
  const reason = pick('endedReason') ?? null;
  const platformAnalysis: PlatformAnalysis | null = an
    ? { summary: an.summary ?? null, successful: successFlag(an.successEvaluation), data: an.structuredData ?? {} }
    : null;
  return {
    platform: 'vapi',
    platform_call_id: call.id,
    platform_agent_id: call.assistantId ?? '',
    direction: dir,
    status: callStatus(pick('status'), reason),
    from_number: dir === 'outbound' ? ours : customer,
    to_number: dir === 'outbound' ? customer : ours,
    started_at: startedAt,
    ended_at: endedAt,
    duration_seconds: startedAt && endedAt ? Math.max(0, (endedAt.getTime() - startedAt.getTime()) / 1000) : null,
    // Documented as USD.
    cost_usd: pick('cost') ?? null,
    recording_url: art?.recordingUrl ?? art?.recording?.mono?.combinedUrl ?? null,
    turns: speechTurns(art?.messages ?? [], (m) => ({
      role: m.role ?? '',
      text: m.message,
      start: m.secondsFromStart ?? null,
      // `time` and `endTime` are epoch milliseconds of the same utterance.
      end: m.secondsFromStart != null && m.time != null && m.endTime != null ? m.secondsFromStart + Math.max(0, m.endTime - m.time) / 1000 : null,
    })),
    analysis: platformAnalysis,
    ended_reason: reason,
    ...ourCallIdOf(call),
  };
}

/**
 * Our call ID, when we placed the call: in `assistantOverrides.metadata` (where placeCall puts
 * it), else in the call's own `metadata`. An empty object when absent or not one of our IDs.
 */
function ourCallIdOf(call: VapiCall): Pick<PlatformCall, 'our_call_id'> {
  const overrides = call.assistantOverrides;
  const fromOverrides = typeof overrides === 'object' && overrides !== null ? ourCallIdIn((overrides as { metadata?: unknown }).metadata, VAPI_CALL_ID_KEY) : null;
  const id = fromOverrides ?? ourCallIdIn(call.metadata, VAPI_CALL_ID_KEY);
  return id ? { our_call_id: id } : {};
}

export class VapiNotificationReader implements PlatformNotificationReader {
  readonly platform = 'vapi' as const;
  private readonly toleranceMs: number;
  private readonly signatureHeader: string;
  private readonly timestampHeader: string;

  constructor(options: VapiReaderOptions = {}) {
    this.toleranceMs = options.toleranceMs ?? VAPI_HMAC_TOLERANCE_MS;
    this.signatureHeader = (options.hmacSignatureHeader ?? VAPI_HMAC_SIGNATURE_HEADER).toLowerCase();
    this.timestampHeader = (options.hmacTimestampHeader ?? VAPI_HMAC_TIMESTAMP_HEADER).toLowerCase();
  }

  verify(req: NotificationRequest, secret: string): void {
    requireSecret(secret);
    const signature = singleHeader(req, this.signatureHeader);
    if (signature !== undefined) {
      this.verifyHmac(req, secret, signature);
      return;
    }
    const shared = singleHeader(req, VAPI_SECRET_HEADER);
    if (shared === undefined) throw new NotificationRejected('unsigned', 'neither X-Vapi-Secret nor an HMAC signature header');
    if (!constantTimeEqual(shared, secret)) throw new NotificationRejected('bad_signature', 'X-Vapi-Secret does not match');
  }

  private verifyHmac(req: NotificationRequest, secret: string, signature: string): void {
    const timestamp = singleHeader(req, this.timestampHeader);
    if (!timestamp || !/^\d{1,16}$/.test(timestamp)) throw new NotificationRejected('bad_signature', `${this.timestampHeader} is missing or not a number`);
    // The plan does not say seconds or milliseconds; a 13-digit stamp is milliseconds.
    const stamp = Number(timestamp);
    checkFreshness(stamp >= 1e12 ? stamp : stamp * 1000, req.now, this.toleranceMs);
    const expected = hmacSha256Hex(secret, `${timestamp}.`, req.rawBody);
    const given = signature.trim().replace(/^sha256=/i, '').toLowerCase();
    if (!constantTimeEqual(given, expected)) throw new NotificationRejected('bad_signature', `${this.signatureHeader} does not match the body`);
  }

  parse(rawBody: Buffer): PlatformNotification {
    const { message: m } = parseBody(rawBody, serverMessage);
    let call: PlatformCall | null = null;
    let kind: PlatformNotification['kind'] = 'other';
    if (m.type === 'end-of-call-report' || m.type === 'status-update') {
      if (!m.call) throw new NotificationRejected('malformed', `${m.type} without message.call`);
      if (!m.call.assistantId) throw new NotificationRejected('malformed', `${m.type} for a call without an assistantId`);
      const report = {
        status: m.type === 'end-of-call-report' ? 'ended' : m.status,
        endedReason: m.endedReason,
        startedAt: m.startedAt,
        endedAt: m.endedAt,
        cost: m.cost,
        artifact: m.artifact,
        analysis: m.analysis,
        customer: m.customer,
        phoneNumber: m.phoneNumber,
      };
      call = normaliseVapiCall(m.call, stripNullish(report));
      // status-update "ended" comes before the report that carries transcript and analysis: only the report ends the call.
      if (m.type === 'end-of-call-report') kind = 'ended';
      else if (m.status === 'in-progress') kind = 'started';
    }
    return {
      platform: 'vapi',
      kind,
      event_type: m.type,
      // No event ID is sent. A status-update is identified by the status it announces; other
      // messages by their own timestamp, else by the body (a retry resends the same body).
      dedupe_key: dedupeKey('vapi', {
        derivedFrom: [m.type, m.call?.id ?? null, m.type === 'status-update' ? m.status : null, m.timestamp ?? sha256Hex(rawBody)],
      }),
      occurred_at: typeof m.timestamp === 'number' ? new Date(m.timestamp) : null,
      call,
    };
  }
}

function stripNullish<T extends Record<string, unknown>>(value: T): Partial<{ [K in keyof T]: NonNullable<T[K]> }> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = v;
  return out as Partial<{ [K in keyof T]: NonNullable<T[K]> }>;
}
