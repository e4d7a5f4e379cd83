import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { isId } from '../../ids/ids';
import type { PlatformName } from '../../platforms/platform-adapter';
import type { PlatformNotification, TranscriptTurn } from '../call-types';

/**
 * What every platform's notification reader shares: the reader contract, the rejection, the
 * limits and the verification and normalising steps. (The registry lives in
 * platform-notification-reader.ts, which imports the readers; keeping this module free of them
 * keeps the import graph acyclic.)
 *
 * The body is hostile until verified and only half-trusted after (a platform bug or a stolen
 * secret), so parsing is bounded: a size cap, fixed-depth schemas, caps on turns and text, and a
 * depth/size check on the free-form data we pass on (analysis data ends up in our database and in
 * JSON.stringify, both of which choke on pathological nesting).
 */

export interface NotificationRequest {
  /** As Node gives them: lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes received: every platform signs the raw body. */
  rawBody: Buffer;
  now: Date;
}

export type RejectionReason = 'unsigned' | 'bad_signature' | 'stale' | 'malformed';

export class NotificationRejected extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'NotificationRejected';
  }
}

export interface PlatformNotificationReader {
  readonly platform: PlatformName;
  /** Throws NotificationRejected unless the request carries the platform's valid signature for `secret`. */
  verify(req: NotificationRequest, secret: string): void;
  /** Throws NotificationRejected('malformed') for anything that is not the documented payload. */
  parse(rawBody: Buffer): PlatformNotification;
}

export interface ReaderOptions {
  /** How far the signed timestamp may be from our clock; each reader defaults to its platform's documented value. */
  toleranceMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Limits. Generous for real calls (an hour-long call is a few hundred turns and well under a
// megabyte even with Retell's word timings), small enough that a hostile body costs little.

/** Bodies above this are refused before JSON.parse. */
export const MAX_NOTIFICATION_BYTES = 8 * 1024 * 1024;
/** Turns per call; a call with more is not a call we can have had. */
export const MAX_TURNS = 5_000;
/** Characters per turn: minutes of uninterrupted speech. */
export const MAX_TURN_CHARS = 20_000;
/** Summaries, reasons and other free text we keep. */
export const MAX_TEXT_CHARS = 20_000;
/** IDs, numbers, status words. */
export const MAX_ID_CHARS = 256;
export const MAX_URL_CHARS = 4_096;
/** Free-form platform data (analysis results): nesting depth and total values we accept. */
export const MAX_FREEFORM_DEPTH = 16;
export const MAX_FREEFORM_NODES = 10_000;
/** A signature header longer than this is not one. */
const MAX_SIGNATURE_HEADER_CHARS = 2_048;

export const idString = z.string().min(1).max(MAX_ID_CHARS);
export const shortText = z.string().max(MAX_ID_CHARS);
export const longText = z.string().max(MAX_TEXT_CHARS);
export const turnText = z.string().max(MAX_TURN_CHARS);
export const urlString = z.string().max(MAX_URL_CHARS);
/** Finite numbers only: JSON has no NaN, but 1e999 parses to Infinity. */
export const finiteNumber = z.number().finite();

const BOUNDS_MESSAGE = `nested deeper than ${MAX_FREEFORM_DEPTH} or larger than ${MAX_FREEFORM_NODES} values`;
/** Free-form JSON we pass on unchanged, provided it is bounded (checked without recursion). */
export const boundedValue = z.unknown().refine(isBounded, BOUNDS_MESSAGE);
export const boundedRecord = z.record(z.string().max(MAX_ID_CHARS), z.unknown()).refine(isBounded, BOUNDS_MESSAGE);

function isBounded(root: unknown): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (++nodes > MAX_FREEFORM_NODES) return false;
    if (typeof value === 'string' && value.length > MAX_TEXT_CHARS) return false;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_FREEFORM_DEPTH) return false;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Verification helpers.

/** The header's single value; a header sent twice is ambiguous, so it counts as malformed. */
export function singleHeader(req: NotificationRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  if (Array.isArray(value)) {
    if (value.length === 1) return value[0];
    throw new NotificationRejected('bad_signature', `${name} header sent more than once`);
  }
  if (value !== undefined && value.length > MAX_SIGNATURE_HEADER_CHARS) {
    throw new NotificationRejected('bad_signature', `${name} header is too long`);
  }
  return value;
}

/**
 * An empty secret would make an empty X-Vapi-Secret (or an HMAC keyed with "") verify: no stored
 * secret means nothing can be verified.
 */
export function requireSecret(secret: string): void {
  if (typeof secret !== 'string' || secret.length === 0) throw new NotificationRejected('bad_signature', 'no secret is configured to verify this platform');
}

export function hmacSha256Hex(secret: string, ...parts: (string | Buffer)[]): string {
  const hmac = createHmac('sha256', secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** Compares in time independent of where the strings differ (lengths are not secret: a digest's is fixed). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Still compare something of equal length so a length mismatch costs the same as a mismatch.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Rejects a signed time outside `toleranceMs` of now, in either direction (a future stamp is as suspect as an old one). */
export function checkFreshness(signedAtMs: number, now: Date, toleranceMs: number): void {
  if (!Number.isSafeInteger(signedAtMs)) throw new NotificationRejected('bad_signature', 'signature timestamp is not a number');
  const skew = Math.abs(now.getTime() - signedAtMs);
  if (skew > toleranceMs) throw new NotificationRejected('stale', `signature timestamp is ${Math.round(skew / 1000)}s from now`);
}

// ---------------------------------------------------------------------------------------------
// Parsing helpers.

/** JSON within the size cap, validated by `schema`; any failure is NotificationRejected('malformed'). */
export function parseBody<S extends z.ZodType>(rawBody: Buffer, schema: S): z.infer<S> {
  if (rawBody.length > MAX_NOTIFICATION_BYTES) throw new NotificationRejected('malformed', `body is larger than ${MAX_NOTIFICATION_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new NotificationRejected('malformed', 'body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    throw new NotificationRejected('malformed', `not the documented payload (${issues})`.slice(0, 500));
  }
  return parsed.data;
}

/**
 * The key by which a retried delivery is recognised: the platform's event ID where it sends one,
 * else a hash of what identifies the event (never the delivery's own signing time, which a retry
 * may renew).
 */
export function dedupeKey(platform: PlatformName, parts: { eventId?: string; derivedFrom?: (string | number | null | undefined)[] }): string {
  if (parts.eventId) return `${platform}:${parts.eventId}`;
  const hash = createHash('sha256');
  for (const part of parts.derivedFrom ?? []) hash.update(`${String(part ?? '')}\u0000`);
  return `${platform}:${hash.digest('hex')}`;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * E.164 for a number the platform gave in international form; null for SIP URIs, web-call
 * placeholders, or anything not a possible phone number. No default country: a platform reports
 * the numbers its telephony saw, which are international.
 */
export function toE164(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const trimmed = raw.trim();
  const candidate = /^\d{8,15}$/.test(trimmed) ? `+${trimmed}` : trimmed;
  const parsed = parsePhoneNumberFromString(candidate);
  return parsed && parsed.isPossible() ? parsed.number : null;
}

/** Every platform's speaker words, ours on the right; anything else (tool, system) is not speech and is dropped. */
const ROLE_MAP: Record<string, TranscriptTurn['role']> = {
  user: 'caller',
  customer: 'caller',
  caller: 'caller',
  agent: 'agent',
  assistant: 'agent',
  bot: 'agent',
};

export function normaliseRole(role: string): TranscriptTurn['role'] | null {
  return ROLE_MAP[role.toLowerCase()] ?? null;
}

/** Builds turns from the platform's list, dropping non-speech and empty turns. */
export function speechTurns<T>(items: T[], read: (item: T) => { role: string; text: string | null | undefined; start: number | null; end: number | null }): TranscriptTurn[] {
  const turns: TranscriptTurn[] = [];
  for (const item of items) {
    const { role, text, start, end } = read(item);
    const ours = normaliseRole(role);
    const words = text?.trim();
    if (!ours || !words) continue;
    turns.push({ role: ours, text: words, start_seconds: start, end_seconds: end });
  }
  return turns;
}

export function dateFromUnixSeconds(seconds: number | null | undefined): Date | null {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(Math.round(seconds * 1000)) : null;
}

export function dateFromUnixMs(ms: number | null | undefined): Date | null {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(Math.round(ms)) : null;
}

export function dateFromIso(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Longer than any call ID we issue (`call_` + 26 ULID characters); a longer value is not ours. */
export const MAX_OUR_CALL_ID_CHARS = 64;

/**
 * Our call ID as a platform echoes it back (outbound calls carry it in their metadata), or null.
 * Untrusted: anything but a string that looks like one of our call IDs is ignored, not refused,
 * so a stray or tampered metadata value never costs us the notification itself.
 */
export function ourCallId(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_OUR_CALL_ID_CHARS) return null;
  return isId('call', value) ? value : null;
}

/** `ourCallId` of `record[key]`, where `record` is any parsed JSON (a non-object gives null). */
export function ourCallIdIn(record: unknown, key: string): string | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
  if (!Object.prototype.hasOwnProperty.call(record, key)) return null;
  return ourCallId((record as Record<string, unknown>)[key]);
}
