import { Connection, Model, Schema } from 'mongoose';
import { absentOnOlder, DocOf, field } from '../db/schema-types';
import type { SealedSecret } from '../secrets/secret-box';

export interface SigningSecret {
  sealed: SealedSecret;
  created_at: Date;
  /** Null for the current secret; set when a rotation retires it (still signed with until then). */
  expires_at: Date | null;
}

const subscriptionFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  url: { type: String, required: true },
  /** Empty means every event type. */
  event_types: { type: [String], default: [] },
  agent_id: { type: String, default: null },
  description: { type: String, default: null },
  enabled: { type: Boolean, required: true },
  disabled_reason: { type: String, default: null },
  disabled_at: { type: Date, default: null },
  /** First failure since the last success; a subscription failing longer than the configured span is disabled. */
  failing_since: { type: Date, default: null },
  secrets: { type: field.mixed<SigningSecret[]>(), default: [] },
  deleted_at: { type: Date, default: null },
  created_at: { type: Date, required: true },
  updated_at: { type: Date, required: true },
};

export type WebhookSubscriptionDoc = DocOf<typeof subscriptionFields>;

const subscriptionSchema = new Schema<WebhookSubscriptionDoc>(subscriptionFields, { versionKey: false, collection: 'webhook_subscriptions', minimize: false });
subscriptionSchema.index({ account_id: 1, _id: -1 });

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'abandoned';

const deliveryFields = {
  /** Derived from (event, subscription): the dispatcher can run twice and still make one delivery. */
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  subscription_id: { type: String, required: true },
  event_id: { type: String, required: true },
  event_type: { type: String, required: true },
  /** The exact bytes sent and signed on every attempt. */
  body: { type: String, required: true },
  status: { type: field.string<DeliveryStatus>(), required: true },
  attempt_count: { type: Number, default: 0 },
  last_attempt_at: { type: Date, default: null },
  last_http_status: { type: Number, default: null },
  last_error: { type: String, default: null },
  next_attempt_at: { type: Date, default: null },
  /** Manual replays accepted so far; each runs as its own workflow, `<delivery>-replay-<n>`. */
  replay_count: absentOnOlder({ type: Number, default: 0 }),
  /** The workflow of the latest manual replay (null: the dispatcher's, whose ID is the delivery ID). */
  replay_workflow_id: absentOnOlder({ type: String, default: null }),
  created_at: { type: Date, required: true },
  updated_at: { type: Date, required: true },
  /** Swept by day once old and settled (core/maintenance/retention.ts). */
  retention_day: { type: String },
};

export type WebhookDeliveryDoc = DocOf<typeof deliveryFields>;

const deliverySchema = new Schema<WebhookDeliveryDoc>(deliveryFields, { versionKey: false, collection: 'webhook_deliveries', minimize: false });
deliverySchema.index({ account_id: 1, subscription_id: 1, _id: -1 });
deliverySchema.index({ retention_day: 1 });

const attemptFields = {
  _id: { type: String, required: true },
  delivery_id: { type: String, required: true },
  account_id: { type: String, required: true },
  number: { type: Number, required: true },
  trigger: { type: field.string<'scheduled' | 'manual'>(), required: true },
  attempted_at: { type: Date, required: true },
  http_status: { type: Number, default: null },
  latency_ms: { type: Number, required: true },
  error: { type: String, default: null },
  response_body: { type: String, default: null },
  response_truncated: { type: Boolean, default: false },
  /** Swept with the deliveries. */
  retention_day: { type: String },
};

export type DeliveryAttemptDoc = DocOf<typeof attemptFields>;

const attemptSchema = new Schema<DeliveryAttemptDoc>(attemptFields, { versionKey: false, collection: 'webhook_delivery_attempts' });
attemptSchema.index({ delivery_id: 1, number: 1 });
attemptSchema.index({ retention_day: 1 });

export function webhookSubscriptionModel(connection: Connection): Model<WebhookSubscriptionDoc> {
  return connection.models.WebhookSubscription ?? connection.model<WebhookSubscriptionDoc>('WebhookSubscription', subscriptionSchema);
}

export function webhookDeliveryModel(connection: Connection): Model<WebhookDeliveryDoc> {
  return connection.models.WebhookDelivery ?? connection.model<WebhookDeliveryDoc>('WebhookDelivery', deliverySchema);
}

export function deliveryAttemptModel(connection: Connection): Model<DeliveryAttemptDoc> {
  return connection.models.DeliveryAttempt ?? connection.model<DeliveryAttemptDoc>('DeliveryAttempt', attemptSchema);
}

/**
 * One per accepted manual replay, `_id` the replay's workflow ID: the unique `_id` decides which
 * of two concurrent requests runs it (a conditional update does not: FerretDB applies it as a
 * read then a write).
 */
const replayClaimFields = {
  _id: { type: String, required: true },
  delivery_id: { type: String, required: true },
  claim: { type: String, required: true },
  created_at: { type: Date, required: true },
  /** Swept with the deliveries. */
  retention_day: { type: String },
};

export type ReplayClaimDoc = DocOf<typeof replayClaimFields>;

const replayClaimSchema = new Schema<ReplayClaimDoc>(replayClaimFields, { versionKey: false, collection: 'webhook_replay_claims' });
replayClaimSchema.index({ retention_day: 1 });

export function replayClaimModel(connection: Connection): Model<ReplayClaimDoc> {
  return connection.models.WebhookReplayClaim ?? connection.model<ReplayClaimDoc>('WebhookReplayClaim', replayClaimSchema);
}
