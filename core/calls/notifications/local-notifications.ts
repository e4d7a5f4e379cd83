import { z } from 'zod';
import { CALL_DIRECTIONS, CALL_STATUSES, PlatformCall, PlatformNotification } from '../call-types';
import {
  checkFreshness,
  constantTimeEqual,
  dateFromIso,
  dedupeKey,
  finiteNumber,
  hmacSha256Hex,
  requireSecret,
  idString,
  MAX_TURNS,
  NotificationRejected,
  NotificationRequest,
  parseBody,
  PlatformNotificationReader,
  ReaderOptions,
  shortText,
  singleHeader,
  toE164,
  turnText,
  urlString,
} from './notification-reading';

/*
 * The local simulator's notifications: our own clean JSON, already in our vocabulary, signed the
 * way the real platforms do it (a timestamp bound into an HMAC over the raw body) so the route and
 * the workflow are exercised exactly as in production:
 *
 *   Wfw-Local-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
 *   {type: "call.started" | "call.ended", event_id, call: {id, agent_id, direction, from_number,
 *    to_number, started_at, ended_at, status, turns: [{role, text, start_seconds, end_seconds}],
 *    recording_url?, cost_usd?}}
 */

export const LOCAL_SIGNATURE_HEADER = 'wfw-local-signature';
export const LOCAL_TOLERANCE_MS = 5 * 60 * 1000;

const isoDate = shortText.refine((v) => !Number.isNaN(new Date(v).getTime()), 'ISO 8601 date-time');

const localCall = z.object({
  id: idString,
  agent_id: idString,
  direction: z.enum(CALL_DIRECTIONS),
  from_number: shortText.nullable(),
  to_number: shortText.nullable(),
  started_at: isoDate.nullable(),
  ended_at: isoDate.nullable(),
  status: z.enum(CALL_STATUSES),
  turns: z
    .array(
      z.object({
        role: z.enum(['agent', 'caller']),
        text: turnText,
        start_seconds: finiteNumber.nullable(),
        end_seconds: finiteNumber.nullable(),
      }),
    )
    .max(MAX_TURNS),
  recording_url: urlString.nullish(),
  cost_usd: finiteNumber.nullish(),
});

const localEvent = z.object({
  type: z.enum(['call.started', 'call.ended']),
  event_id: idString,
  call: localCall,
});

export type LocalNotificationPayload = z.input<typeof localEvent>;

/** The header value for `body`: what the local simulator sends. */
export function signLocalNotification(body: string, secret: string, now: Date): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${hmacSha256Hex(secret, `${t}.`, Buffer.from(body, 'utf8'))}`;
}

export class LocalNotificationReader implements PlatformNotificationReader {
  readonly platform = 'local' as const;
  private readonly toleranceMs: number;

  constructor(options: ReaderOptions = {}) {
    this.toleranceMs = options.toleranceMs ?? LOCAL_TOLERANCE_MS;
  }

  verify(req: NotificationRequest, secret: string): void {
    requireSecret(secret);
    const header = singleHeader(req, LOCAL_SIGNATURE_HEADER);
    if (!header) throw new NotificationRejected('unsigned', 'no Wfw-Local-Signature header');
    const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/i.exec(header.trim());
    if (!match) throw new NotificationRejected('bad_signature', 'Wfw-Local-Signature is not t=<unix>,v1=<hex>');
    checkFreshness(Number(match[1]) * 1000, req.now, this.toleranceMs);
    const expected = hmacSha256Hex(secret, `${match[1]}.`, req.rawBody);
    if (!constantTimeEqual(match[2]!.toLowerCase(), expected)) throw new NotificationRejected('bad_signature', 'Wfw-Local-Signature does not match the body');
  }

  parse(rawBody: Buffer): PlatformNotification {
    const event = parseBody(rawBody, localEvent);
    const c = event.call;
    const startedAt = dateFromIso(c.started_at);
    const endedAt = dateFromIso(c.ended_at);
    const call: PlatformCall = {
      platform: 'local',
      platform_call_id: c.id,
      platform_agent_id: c.agent_id,
      direction: c.direction,
      status: c.status,
      from_number: toE164(c.from_number),
      to_number: toE164(c.to_number),
      started_at: startedAt,
      ended_at: endedAt,
      duration_seconds: startedAt && endedAt ? Math.max(0, (endedAt.getTime() - startedAt.getTime()) / 1000) : null,
      cost_usd: c.cost_usd ?? null,
      recording_url: c.recording_url ?? null,
      turns: c.turns.filter((t) => t.text.trim().length > 0).map((t) => ({ ...t, text: t.text.trim() })),
      analysis: null,
      ended_reason: null,
    };
    return {
      platform: 'local',
      kind: event.type === 'call.started' ? 'started' : 'ended',
      event_type: event.type,
      dedupe_key: dedupeKey('local', { eventId: event.event_id }),
      occurred_at: event.type === 'call.started' ? startedAt : endedAt,
      call,
    };
  }
}
