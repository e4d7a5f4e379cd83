import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';
import type { CallWindow } from '../../workflows/call-window';
import type { OutboundSimulation } from '../../workflows/call-workflow-types';

export const BATCH_STATUSES = ['queued', 'running', 'completed', 'canceled'] as const;
export type CallBatchStatus = (typeof BATCH_STATUSES)[number];
export const RECIPIENT_STATUSES = ['queued', 'in_progress', 'completed', 'no_answer', 'busy', 'failed', 'canceled', 'skipped'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];
export type SkipReason = 'do_not_call' | 'insufficient_credit';

/**
 * A batch of outbound calls. Its document is small and fixed-size: the recipients (up to 1,000)
 * are documents of their own, keyed by batch and index, so neither grows with the calls made.
 * Only the batch's workflow writes it after creation (FerretDB: one writer per document).
 */
const callBatchFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  agent_id: { type: String, required: true },
  status: { type: field.string<CallBatchStatus>(), required: true },
  total: { type: Number, required: true },
  max_concurrency: { type: Number, required: true },
  window: { type: field.mixed<CallWindow | null>(), default: null },
  retry: { type: field.mixed<{ no_answer_attempts: number; backoff_minutes: number }>(), required: true },
  scheduled_at: { type: Date, default: null },
  /** The most calls the workflow had in flight at once (never above max_concurrency). */
  max_in_flight: { type: Number, default: 0 },
  created_at: { type: Date, required: true },
  updated_at: { type: Date, required: true },
  ended_at: { type: Date, default: null },
};
export type CallBatchDoc = DocOf<typeof callBatchFields>;

const recipientFields = {
  /** `<batch id>:<index, zero-padded>`: one primary-key read or write per recipient. */
  _id: { type: String, required: true },
  batch_id: { type: String, required: true },
  account_id: { type: String, required: true },
  index: { type: Number, required: true },
  to_number: { type: String, required: true },
  timezone: { type: String, default: null },
  variables: { type: field.mixed<Record<string, string>>(), default: {} },
  simulation: { type: field.mixed<OutboundSimulation | null>(), default: null },
  status: { type: field.string<RecipientStatus>(), required: true },
  skip_reason: { type: field.string<SkipReason>(), default: null },
  attempts: { type: Number, default: 0 },
  call_ids: { type: [String], default: [] },
  updated_at: { type: Date, required: true },
};
export type CallBatchRecipientDoc = DocOf<typeof recipientFields>;

const batchSchema = new Schema<CallBatchDoc>(callBatchFields, { versionKey: false, collection: 'call_batches', minimize: false });
batchSchema.index({ account_id: 1, _id: -1 });
const recipientSchema = new Schema<CallBatchRecipientDoc>(recipientFields, { versionKey: false, collection: 'call_batch_recipients', minimize: false });
recipientSchema.index({ batch_id: 1, index: 1 });

export function callBatchModel(connection: Connection): Model<CallBatchDoc> {
  return (connection.models.CallBatch as Model<CallBatchDoc>) ?? connection.model<CallBatchDoc>('CallBatch', batchSchema);
}
export function callBatchRecipientModel(connection: Connection): Model<CallBatchRecipientDoc> {
  return (connection.models.CallBatchRecipient as Model<CallBatchRecipientDoc>) ?? connection.model<CallBatchRecipientDoc>('CallBatchRecipient', recipientSchema);
}

export function recipientId(batchId: string, index: number): string {
  return `${batchId}:${String(index).padStart(4, '0')}`;
}
