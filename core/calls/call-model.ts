import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';
import type { SealedSecret } from '../secrets/secret-box';
import type { CallDirection, CallStatus, ExtractedField, PlatformAnalysis, TranscriptTurn } from './call-types';

/**
 * A call's record: what the platform reported, normalised, and what we concluded. The transcript
 * and the extractions are documents of their own (keyed by the call ID) so that lists never load them.
 */
const callFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  agent_id: { type: String, required: true },
  platform: { type: String, required: true },
  /** Null until an outbound call is placed. */
  platform_call_id: { type: String, default: null },
  direction: { type: field.string<CallDirection>(), required: true },
  status: { type: field.string<CallStatus>(), required: true },
  test: { type: Boolean, required: true },
  from_number: { type: String, default: null },
  to_number: { type: String, default: null },
  started_at: { type: Date, default: null },
  ended_at: { type: Date, default: null },
  duration_seconds: { type: Number, default: null },
  disposition: { type: String, default: null },
  intent: { type: String, default: null },
  summary: { type: String, default: null },
  cost_usd: { type: Number, default: null },
  recording_url: { type: String, default: null },
  ended_reason: { type: String, default: null },
  platform_analysis: { type: field.mixed<PlatformAnalysis>(), default: null },
  turn_count: { type: Number, default: 0 },
  /** `pending` until the extraction of an ended call is stored. */
  extraction_status: { type: field.string<'pending' | 'completed' | 'failed'>(), required: true },
  created_at: { type: Date, required: true },
  updated_at: { type: Date, required: true },
};
export type CallDoc = DocOf<typeof callFields>;

const callSchema = new Schema<CallDoc>(callFields, { versionKey: false, collection: 'calls', minimize: false });
// Lists: newest first within an account, optionally per agent (equality, then the _id range).
callSchema.index({ account_id: 1, _id: -1 });
callSchema.index({ account_id: 1, agent_id: 1, _id: -1 });

export function callModel(connection: Connection): Model<CallDoc> {
  return connection.models.Call ?? connection.model<CallDoc>('Call', callSchema);
}

const transcriptFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  turns: { type: field.mixed<TranscriptTurn[]>(), required: true },
  /** Whether card, bank and social security numbers were masked before this was stored. */
  masked: { type: Boolean, required: true },
  created_at: { type: Date, required: true },
};
export type CallTranscriptDoc = DocOf<typeof transcriptFields>;
const transcriptSchema = new Schema<CallTranscriptDoc>(transcriptFields, { versionKey: false, collection: 'call_transcripts', minimize: false });

export function callTranscriptModel(connection: Connection): Model<CallTranscriptDoc> {
  return connection.models.CallTranscript ?? connection.model<CallTranscriptDoc>('CallTranscript', transcriptSchema);
}

const extractionFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  extractor: { type: String, required: true },
  intent: { type: String, default: null },
  disposition: { type: String, default: null },
  threshold: { type: Number, required: true },
  fields: { type: field.mixed<(ExtractedField & { required?: boolean })[]>(), required: true },
  created_at: { type: Date, required: true },
};
export type CallExtractionDoc = DocOf<typeof extractionFields>;
const extractionSchema = new Schema<CallExtractionDoc>(extractionFields, { versionKey: false, collection: 'call_extractions', minimize: false });

export function callExtractionModel(connection: Connection): Model<CallExtractionDoc> {
  return connection.models.CallExtraction ?? connection.model<CallExtractionDoc>('CallExtraction', extractionSchema);
}

/**
 * One per (account, platform, platform call): the first notification of a call claims its call
 * ID by inserting this, and every later one (or a retry) finds it by `_id`.
 */
const callClaimFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  call_id: { type: String, required: true },
  created_at: { type: Date, required: true },
};
export type CallClaimDoc = DocOf<typeof callClaimFields>;
const callClaimSchema = new Schema<CallClaimDoc>(callClaimFields, { versionKey: false, collection: 'call_claims' });

export function callClaimModel(connection: Connection): Model<CallClaimDoc> {
  return connection.models.CallClaim ?? connection.model<CallClaimDoc>('CallClaim', callClaimSchema);
}

/**
 * Every platform notification as received, for audit: `_id` is derived from the platform's dedupe
 * key, so a retried delivery lands on the same row. The body is sealed (bound to the account):
 * it holds the unmasked transcript. Swept by day (WFW_RETENTION_CALL_NOTIFICATIONS_DAYS).
 */
const notificationFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  call_id: { type: String, required: true },
  platform: { type: String, required: true },
  kind: { type: field.string<'started' | 'ended' | 'other'>(), required: true },
  event_type: { type: String, required: true },
  body: { type: field.mixed<SealedSecret>(), required: true },
  received_at: { type: Date, required: true },
  retention_day: { type: String, required: true },
};
export type CallNotificationDoc = DocOf<typeof notificationFields>;
const notificationSchema = new Schema<CallNotificationDoc>(notificationFields, { versionKey: false, collection: 'call_notifications', minimize: false });
notificationSchema.index({ retention_day: 1 });

export function callNotificationModel(connection: Connection): Model<CallNotificationDoc> {
  return connection.models.CallNotification ?? connection.model<CallNotificationDoc>('CallNotification', notificationSchema);
}
