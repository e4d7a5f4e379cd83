import { Connection, Model, Schema } from 'mongoose';
import type { SealedSecret } from '../secrets/secret-box';

export interface SigningSecret {
  sealed: SealedSecret;
  created_at: Date;
  /** Null for the current secret; set when a rotation retires it (still signed with until then). */
  expires_at: Date | null;
}

export interface WebhookSubscriptionDoc {
  _id: string;
  account_id: string;
  url: string;
  /** Empty means every event type. */
  event_types: string[];
  agent_id: string | null;
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  /** First failure since the last success; a subscription failing longer than the configured span is disabled. */
  failing_since: Date | null;
  secrets: SigningSecret[];
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const subscriptionSchema = new Schema<WebhookSubscriptionDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    url: { type: String, required: true },
    event_types: { type: [String], default: [] },
    agent_id: { type: String, default: null },
    description: { type: String, default: null },
    enabled: { type: Boolean, required: true },
    disabled_reason: { type: String, default: null },
    disabled_at: { type: Date, default: null },
    failing_since: { type: Date, default: null },
    secrets: { type: Schema.Types.Mixed, default: [] },
    deleted_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'webhook_subscriptions', minimize: false },
);
subscriptionSchema.index({ account_id: 1, _id: -1 });

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'abandoned';

export interface WebhookDeliveryDoc {
  /** Derived from (event, subscription): the dispatcher can run twice and still make one delivery. */
  _id: string;
  account_id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  /** The exact bytes sent and signed on every attempt. */
  body: string;
  status: DeliveryStatus;
  attempt_count: number;
  last_attempt_at: Date | null;
  last_http_status: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  /** Manual replays accepted so far; each runs as its own workflow, `<delivery>-replay-<n>`. */
  replay_count?: number;
  /** The workflow of the latest manual replay (null: the dispatcher's, whose ID is the delivery ID). */
  replay_workflow_id?: string | null;
  created_at: Date;
  updated_at: Date;
  /** Swept by day once old and settled (core/maintenance/retention.ts). */
  retention_day?: string;
}

const deliverySchema = new Schema<WebhookDeliveryDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    subscription_id: { type: String, required: true },
    event_id: { type: String, required: true },
    event_type: { type: String, required: true },
    body: { type: String, required: true },
    status: { type: String, required: true },
    attempt_count: { type: Number, default: 0 },
    last_attempt_at: { type: Date, default: null },
    last_http_status: { type: Number, default: null },
    last_error: { type: String, default: null },
    next_attempt_at: { type: Date, default: null },
    replay_count: { type: Number, default: 0 },
    replay_workflow_id: { type: String, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    retention_day: { type: String },
  },
  { versionKey: false, collection: 'webhook_deliveries', minimize: false },
);
deliverySchema.index({ account_id: 1, subscription_id: 1, _id: -1 });
deliverySchema.index({ retention_day: 1 });

export interface DeliveryAttemptDoc {
  _id: string;
  delivery_id: string;
  account_id: string;
  number: number;
  trigger: 'scheduled' | 'manual';
  attempted_at: Date;
  http_status: number | null;
  latency_ms: number;
  error: string | null;
  response_body: string | null;
  response_truncated: boolean;
  /** Swept with the deliveries. */
  retention_day?: string;
}

const attemptSchema = new Schema<DeliveryAttemptDoc>(
  {
    _id: { type: String, required: true },
    delivery_id: { type: String, required: true },
    account_id: { type: String, required: true },
    number: { type: Number, required: true },
    trigger: { type: String, required: true },
    attempted_at: { type: Date, required: true },
    http_status: { type: Number, default: null },
    latency_ms: { type: Number, required: true },
    error: { type: String, default: null },
    response_body: { type: String, default: null },
    response_truncated: { type: Boolean, default: false },
    retention_day: { type: String },
  },
  { versionKey: false, collection: 'webhook_delivery_attempts' },
);
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
export interface ReplayClaimDoc {
  _id: string;
  delivery_id: string;
  claim: string;
  created_at: Date;
  /** Swept with the deliveries. */
  retention_day?: string;
}

const replayClaimSchema = new Schema<ReplayClaimDoc>(
  {
    _id: { type: String, required: true },
    delivery_id: { type: String, required: true },
    claim: { type: String, required: true },
    created_at: { type: Date, required: true },
    retention_day: { type: String },
  },
  { versionKey: false, collection: 'webhook_replay_claims' },
);
replayClaimSchema.index({ retention_day: 1 });

export function replayClaimModel(connection: Connection): Model<ReplayClaimDoc> {
  return connection.models.WebhookReplayClaim ?? connection.model<ReplayClaimDoc>('WebhookReplayClaim', replayClaimSchema);
}
