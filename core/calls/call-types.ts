import type { PlatformName } from '../platforms/platform-adapter';
import type { ExtractionField } from '../templates/template';

/**
 * The shapes shared by the three parts of the calls domain: platform notifications (what a voice
 * platform tells us about a call, normalised), the call record we keep, and extraction.
 */
export const CALL_DIRECTIONS = ['inbound', 'outbound'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

/** `in_progress` until the end-of-call notification; then one of the ended statuses. */
export const CALL_STATUSES = ['queued', 'ringing', 'in_progress', 'completed', 'no_answer', 'busy', 'failed', 'canceled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const ENDED_CALL_STATUSES: readonly CallStatus[] = ['completed', 'no_answer', 'busy', 'failed', 'canceled'];

export interface TranscriptTurn {
  role: 'agent' | 'caller';
  text: string;
  /** Seconds from the start of the call; null where the platform gives no timing. */
  start_seconds: number | null;
  end_seconds: number | null;
}

/** What the platform itself concluded about the call (its summary, success flag, collected data). */
export interface PlatformAnalysis {
  summary: string | null;
  successful: boolean | null;
  /** The platform's own structured data (ElevenLabs data collection, Vapi structuredData, Retell custom analysis). */
  data: Record<string, unknown>;
}

/** One platform's call, normalised. Fields the notification does not carry are null. */
export interface PlatformCall {
  platform: PlatformName;
  platform_call_id: string;
  /** The platform's agent/assistant ID, by which we find our agent (and so the account). */
  platform_agent_id: string;
  direction: CallDirection | null;
  status: CallStatus;
  /** E.164 where the platform gives a phone number; null for web calls. */
  from_number: string | null;
  to_number: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  duration_seconds: number | null;
  /** What the platform charged, in USD, if it says. */
  cost_usd: number | null;
  recording_url: string | null;
  turns: TranscriptTurn[];
  analysis: PlatformAnalysis | null;
  /** Why the call ended, in the platform's words (e.g. "customer-ended-call"), for the record only. */
  ended_reason: string | null;
  /**
   * The call ID we gave the platform when we placed the call (outbound), when the platform echoes
   * it back: by it ingestion knows which of our calls a notification is about even before we have
   * recorded the platform's call ID. Validated as one of our call IDs; absent for inbound calls.
   */
  our_call_id?: string | null;
}

/**
 * A verified platform notification. `kind` says what it means for the call workflow:
 * `started` begins a call, `ended` carries the end-of-call report; `other` is acknowledged and ignored.
 */
export interface PlatformNotification {
  platform: PlatformName;
  kind: 'started' | 'ended' | 'other';
  /** The platform's event type as sent (e.g. "post_call_transcription", "end-of-call-report", "call_ended"). */
  event_type: string;
  /**
   * Stable for one delivery of one event, the same when the platform retries it: duplicates are
   * recognised by it. Derived from the payload where the platform sends no event ID.
   */
  dedupe_key: string;
  /** When the platform says the event happened (its signed timestamp or its payload time). */
  occurred_at: Date | null;
  call: PlatformCall | null;
}

/** Field types a template's extraction schema can declare. */
export type ExtractionSchema = { fields: ExtractionField[]; confidence_threshold: number };

export interface ExtractionInput {
  turns: TranscriptTurn[];
  schema: ExtractionSchema;
  dispositions: { id: string; description: string }[];
  /** The call's start: relative dates ("next Thursday") are resolved against it. */
  call_started_at: Date;
  /** IANA zone of the business, e.g. "America/Chicago". */
  timezone: string;
  /** ISO 3166-1 alpha-2 of the business, e.g. "US": phone numbers without a country code are read in it. */
  country: string;
  /** The caller's number as the platform gave it (E.164), for "this number" answers. */
  caller_number: string | null;
}

export interface ExtractionEvidence {
  /** Index into the transcript's turns. */
  turn: number;
  /** The caller's words, verbatim from that turn. */
  quote: string;
}

export interface ExtractedField {
  name: string;
  /** Typed by the field: string, number, boolean, ISO date/datetime, E.164, e-mail, enum value; null when never mentioned. */
  value: string | number | boolean | null;
  confidence: number;
  evidence: ExtractionEvidence[];
}

export interface ExtractionResult {
  /** e.g. "deterministic-v1" or "llm:gpt-4o-mini". */
  extractor: string;
  intent: string | null;
  disposition: string | null;
  /** One entry per schema field, in schema order; unmentioned fields have value null and confidence 0. */
  fields: ExtractedField[];
}

export interface CallExtractor {
  readonly name: string;
  extract(input: ExtractionInput, signal?: AbortSignal): Promise<ExtractionResult>;
}
