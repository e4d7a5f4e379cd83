import { randomUUID } from 'node:crypto';
import { Model } from 'mongoose';
import type { Logger } from 'pino';
import type { Scope } from '../auth/scopes';
import { insertOnce } from '../db/database';
import { retentionDay } from '../maintenance/retention';
import { ApiError, NotFoundError } from '../errors/errors';
import type { EventEnvelope } from '../events/event-log';
import { assertMayReadEventTypes, visibleEventTypes } from '../events/event-scopes';
import { EVENT_TYPES } from '../events/event-types';
import { decodeTime } from 'ulid';
import { derivedPrefixedId, isId, newId } from '../ids/ids';
import { checkOutboundUrl, OutboundGuardOptions, OutboundUrlRefused } from '../outbound/outbound-url-guard';
import { Page, PageQuery, paginate } from '../pagination/pagination';
import type { SealBinding, SecretBox } from '../secrets/secret-box';
import { DeliveryAttemptDoc, DeliveryStatus, replayClaimModel, WebhookDeliveryDoc, WebhookSubscriptionDoc } from './webhook-model';
import { newSigningSecret } from './webhook-signer';

export type DeliveryWorkflowState = 'running' | 'closed' | 'not_found';

/** Starts delivery workflows (Temporal in production; the scheduled one's workflow ID is the delivery ID). */
export interface WebhookWorkflowStarter {
  /** `accountId`: the delivery's account, for the ops search attributes. */
  startDelivery(deliveryId: string, accountId?: string): Promise<void>;
  /** One manual attempt numbered attemptNumber, as workflow `workflowId` (unique per accepted replay). */
  startManualRetry(deliveryId: string, attemptNumber: number, workflowId: string, accountId?: string): Promise<void>;
  workflowState(workflowId: string): Promise<DeliveryWorkflowState>;
}

export interface WebhookSettings {
  /** How long a rotated-out secret still signs deliveries. */
  secretGraceSeconds: number;
}

export interface WebhookView {
  object: 'webhook';
  id: string;
  url: string;
  event_types: string[];
  agent_id: string | null;
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: string | null;
  failing_since: string | null;
  secret_rotation_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryView {
  object: 'webhook_delivery';
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempt_count: number;
  last_attempt_at: string | null;
  last_http_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  attempts?: AttemptView[];
}

export interface AttemptView {
  number: number;
  trigger: 'scheduled' | 'manual';
  attempted_at: string;
  http_status: number | null;
  latency_ms: number;
  error: string | null;
  response_body: string | null;
  response_truncated: boolean;
}

/**
 * One delivery per (event, subscription), with an ID derived from both: the event's time keeps
 * deliveries time-ordered for pagination; a second dispatch finds the first.
 */
export function deliveryIdFor(eventId: string, subscriptionId: string): string {
  return derivedPrefixedId('delivery', decodeTime(eventId.slice(eventId.indexOf('_') + 1).toUpperCase()), eventId, subscriptionId);
}

export function deliveryBody(subscriptionId: string, deliveryId: string, event: Pick<EventEnvelope, 'event_id' | 'event_type' | 'created_at' | 'data'>): string {
  return JSON.stringify({
    webhook_id: subscriptionId,
    event_id: event.event_id,
    event_type: event.event_type,
    created_at: event.created_at,
    idempotency_key: deliveryId,
    data: event.data,
  });
}

/** A signing secret opens only for the subscription (and account) it was made for. */
function secretBinding(sub: Pick<WebhookSubscriptionDoc, '_id' | 'account_id'>): SealBinding {
  return { accountId: sub.account_id, purpose: `webhook-secret:${sub._id}` };
}

/** What a subscription carries: its types, or every type when it names none. */
export function carriedEventTypes(sub: Pick<WebhookSubscriptionDoc, 'event_types'>): readonly string[] {
  return sub.event_types.length > 0 ? sub.event_types : EVENT_TYPES;
}

/**
 * The types a new or changed subscription may carry for these credentials: asking for a type
 * that needs another scope is refused naming it; "all" means all the caller may see (and when
 * that is nothing, the scope of the first type is named).
 */
export function permittedEventTypes(scopes: ReadonlySet<Scope>, requested: readonly string[] | undefined): string[] {
  if (!requested || requested.length === 0) {
    const visible = visibleEventTypes(scopes);
    if (visible.length === 0) assertMayReadEventTypes(scopes, EVENT_TYPES);
    return visible.length === EVENT_TYPES.length ? [] : visible;
  }
  assertMayReadEventTypes(scopes, requested);
  return [...new Set(requested)];
}

/** How long a claimed replay may take to show up in the workflow engine before it counts as lost. */
const REPLAY_START_GRACE_MS = 30_000;

export class WebhookService {
  constructor(
    private readonly subscriptions: Model<WebhookSubscriptionDoc>,
    private readonly deliveries: Model<WebhookDeliveryDoc>,
    private readonly attempts: Model<DeliveryAttemptDoc>,
    private readonly box: SecretBox,
    private readonly guard: OutboundGuardOptions,
    private readonly settings: WebhookSettings,
    private readonly workflows: WebhookWorkflowStarter,
    private readonly logger: Logger,
  ) {}

  /** https only (http too when private networks are allowed, i.e. dev and tests), through the outbound guard. */
  checkUrl(url: string, field = 'url'): void {
    try {
      const parsed = checkOutboundUrl(url, this.guard);
      if (parsed.protocol !== 'https:' && !this.guard.allowPrivateNetworks) {
        throw new OutboundUrlRefused('unsupported_scheme', 'webhook URLs must use https', url);
      }
    } catch (err) {
      if (err instanceof OutboundUrlRefused) {
        throw new ApiError('VALIDATION_ERROR', 'The webhook URL cannot be used.', { details: [{ field, issue: err.reason, message: err.message }] });
      }
      throw err;
    }
  }

  /** `event_types` must already be what the caller may receive (permittedEventTypes). */
  async create(accountId: string, input: { url: string; event_types?: string[]; agent_id?: string | null; description?: string | null }): Promise<WebhookView & { secret: string }> {
    this.checkUrl(input.url);
    const secret = newSigningSecret();
    const now = new Date();
    const id = newId('webhook');
    const doc: WebhookSubscriptionDoc = {
      _id: id,
      account_id: accountId,
      url: input.url,
      event_types: [...new Set(input.event_types ?? [])],
      agent_id: input.agent_id ?? null,
      description: input.description ?? null,
      enabled: true,
      disabled_reason: null,
      disabled_at: null,
      failing_since: null,
      secrets: [{ sealed: await this.box.seal(secret, secretBinding({ _id: id, account_id: accountId })), created_at: now, expires_at: null }],
      deleted_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.subscriptions.create(doc);
    return { ...toWebhookView(doc), secret };
  }

  list(accountId: string, page: PageQuery): Promise<Page<WebhookView>> {
    return paginate(this.subscriptions, 'webhooks', { account_id: accountId, deleted_at: null }, page, toWebhookView);
  }

  async get(accountId: string, id: string): Promise<WebhookView> {
    return toWebhookView(await this.find(accountId, id));
  }

  async update(accountId: string, scopes: ReadonlySet<Scope>, id: string, patch: { url?: string; event_types?: string[]; enabled?: boolean; description?: string | null }): Promise<WebhookView> {
    await this.findControlled(accountId, scopes, id);
    const eventTypes = patch.event_types === undefined ? undefined : permittedEventTypes(scopes, patch.event_types);
    if (patch.url !== undefined) this.checkUrl(patch.url);
    const set: Partial<WebhookSubscriptionDoc> = { updated_at: new Date() };
    if (patch.url !== undefined) set.url = patch.url;
    if (eventTypes !== undefined) set.event_types = eventTypes;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.enabled !== undefined) {
      set.enabled = patch.enabled;
      // Re-enabling is a fresh start: the failure streak that disabled it is forgotten.
      if (patch.enabled) Object.assign(set, { disabled_reason: null, disabled_at: null, failing_since: null });
      else Object.assign(set, { disabled_reason: 'disabled by the client', disabled_at: new Date() });
    }
    await this.subscriptions.updateOne({ _id: id, account_id: accountId }, { $set: set });
    return this.get(accountId, id);
  }

  async remove(accountId: string, id: string): Promise<void> {
    await this.find(accountId, id);
    await this.subscriptions.updateOne({ _id: id, account_id: accountId }, { $set: { deleted_at: new Date(), enabled: false, updated_at: new Date() } });
  }

  /** A new secret, shown once; the old one keeps signing (as a second signature) for the grace period. */
  async rotateSecret(accountId: string, scopes: ReadonlySet<Scope>, id: string): Promise<WebhookView & { secret: string }> {
    const doc = await this.findControlled(accountId, scopes, id);
    const now = new Date();
    const graceEnd = new Date(now.getTime() + this.settings.secretGraceSeconds * 1000);
    const secret = newSigningSecret();
    const kept = doc.secrets
      .map((s) => ({ ...s, expires_at: s.expires_at ?? graceEnd }))
      .filter((s) => s.expires_at > now);
    const secrets = [{ sealed: await this.box.seal(secret, secretBinding(doc)), created_at: now, expires_at: null }, ...kept];
    await this.subscriptions.updateOne({ _id: id, account_id: accountId }, { $set: { secrets, updated_at: now } });
    return { ...(await this.get(accountId, id)), secret };
  }

  /** Every secret that signs right now: the current one first, then any still in their grace period. */
  async activeSecrets(subscription: WebhookSubscriptionDoc, now = new Date()): Promise<string[]> {
    const live = subscription.secrets.filter((s) => !s.expires_at || new Date(s.expires_at) > now);
    return Promise.all(live.map((s) => this.box.open(s.sealed, secretBinding(subscription))));
  }

  async sendTest(accountId: string, scopes: ReadonlySet<Scope>, id: string): Promise<DeliveryView> {
    const sub = await this.findControlled(accountId, scopes, id);
    const event = { event_id: newId('event'), event_type: 'webhook.test', created_at: new Date().toISOString(), data: { webhook_id: id, message: 'This is a test event from Workforce Wave.' } };
    const delivery = await this.ensureDelivery(sub, event);
    await this.workflows.startDelivery(delivery._id, delivery.account_id);
    return toDeliveryView(delivery);
  }

  /** The delivery row for (event, subscription), created once whoever asks first. */
  async ensureDelivery(sub: WebhookSubscriptionDoc, event: Pick<EventEnvelope, 'event_id' | 'event_type' | 'created_at' | 'data'>): Promise<WebhookDeliveryDoc> {
    const id = deliveryIdFor(event.event_id, sub._id);
    const now = new Date();
    const doc: WebhookDeliveryDoc = {
      _id: id,
      account_id: sub.account_id,
      subscription_id: sub._id,
      event_id: event.event_id,
      event_type: event.event_type,
      body: deliveryBody(sub._id, id, event),
      status: 'pending',
      attempt_count: 0,
      last_attempt_at: null,
      last_http_status: null,
      last_error: null,
      next_attempt_at: now,
      replay_count: 0,
      replay_workflow_id: null,
      created_at: now,
      updated_at: now,
      retention_day: retentionDay(now),
    };
    // Insert first: the common case is a new delivery; a re-dispatch lands on the duplicate key.
    return insertOnce(this.deliveries, doc);
  }

  async listDeliveries(accountId: string, webhookId: string, filter: { status?: DeliveryStatus; event_type?: string }, page: PageQuery): Promise<Page<DeliveryView>> {
    await this.find(accountId, webhookId);
    const query: Record<string, unknown> = { account_id: accountId, subscription_id: webhookId };
    if (filter.status) query.status = filter.status;
    if (filter.event_type) query.event_type = filter.event_type;
    return paginate(this.deliveries, `deliveries:${webhookId}`, query, page, toDeliveryView);
  }

  async getDelivery(accountId: string, webhookId: string, deliveryId: string): Promise<DeliveryView> {
    const delivery = await this.findDelivery(accountId, webhookId, deliveryId);
    const attempts = await this.attempts.find({ delivery_id: deliveryId }).sort({ number: 1 }).lean<DeliveryAttemptDoc[]>();
    return { ...toDeliveryView(delivery), attempts: attempts.map(toAttemptView) };
  }

  /** A manual replay: one more attempt, recorded with trigger "manual". */
  async retryDelivery(accountId: string, scopes: ReadonlySet<Scope>, webhookId: string, deliveryId: string): Promise<DeliveryView> {
    const sub = await this.findControlled(accountId, scopes, webhookId);
    if (!sub.enabled) {
      throw new ApiError('CONFLICT', 'The webhook is disabled; enable it before replaying deliveries.', { details: [{ field: 'id', issue: 'webhook_disabled', message: sub.disabled_reason ?? 'disabled' }] });
    }
    const delivery = await this.findDelivery(accountId, webhookId, deliveryId);
    if ((delivery.status === 'pending' || delivery.status === 'retrying') && !(await this.isWedged(delivery))) {
      // Its attempts are still running; a manual one now would race them for the next number.
      throw new ApiError('CONFLICT', 'This delivery is still being attempted.', {
        recovery: 'wait_for_operation',
        retryable: true,
        retryAfterSeconds: 5,
        details: [{ field: 'delivery_id', issue: 'delivery_in_progress', message: `status is ${delivery.status}` }],
      });
    }
    // Each accepted replay is a workflow of its own: keying it by the attempt number made a replay
    // that died before recording its attempt collide with every later one, which then did nothing.
    const replay = (delivery.replay_count ?? 0) + 1;
    const workflowId = `${deliveryId}-replay-${replay}`;
    const now = new Date();
    const claim = randomUUID();
    const claimed = await insertOnce(replayClaimModel(this.deliveries.db), { _id: workflowId, delivery_id: deliveryId, claim, created_at: now, retention_day: retentionDay(now) });
    if (claimed.claim !== claim) {
      throw new ApiError('CONFLICT', 'Another replay of this delivery was just requested.', {
        recovery: 'wait_for_operation',
        retryable: true,
        retryAfterSeconds: 5,
        details: [{ field: 'delivery_id', issue: 'delivery_in_progress', message: 'a concurrent replay request won' }],
      });
    }
    await this.deliveries.updateOne({ _id: deliveryId }, { $set: { status: 'pending', replay_count: replay, replay_workflow_id: workflowId, next_attempt_at: now, updated_at: now } });
    await this.workflows.startManualRetry(deliveryId, delivery.attempt_count + 1, workflowId, delivery.account_id);
    this.logger.info({ delivery_id: deliveryId, workflow_id: workflowId }, 'manual webhook retry requested');
    return toDeliveryView({ ...delivery, status: 'pending', next_attempt_at: now });
  }

  /**
   * A delivery still marked in flight whose workflow is gone: it ended without recording (older
   * versions did so when an activity gave up), or a replay was claimed but never started.
   */
  private async isWedged(delivery: WebhookDeliveryDoc): Promise<boolean> {
    const state = await this.workflows.workflowState(delivery.replay_workflow_id ?? delivery._id);
    if (state === 'running') return false;
    if (state === 'not_found') {
      // No workflow yet for a dispatcher-made delivery: the dispatcher starts it before it moves on.
      if (!delivery.replay_workflow_id) return false;
      // A replay claimed a moment ago may simply not have started yet (a concurrent request).
      if (Date.now() - new Date(delivery.updated_at).getTime() < REPLAY_START_GRACE_MS) return false;
    }
    this.logger.warn({ delivery_id: delivery._id, status: delivery.status, workflow_state: state }, 'webhook delivery left in flight by a workflow that ended; replaying it');
    return true;
  }

  private async find(accountId: string, id: string): Promise<WebhookSubscriptionDoc> {
    if (!isId('webhook', id)) throw new ApiError('INVALID_ID', `${id} is not a webhook ID.`, { details: [{ field: 'id', issue: 'invalid_id', message: 'expected wh_…' }] });
    const doc = await this.subscriptions.findOne({ _id: id, account_id: accountId, deleted_at: null }).lean<WebhookSubscriptionDoc>();
    if (!doc) throw new NotFoundError('webhook', id);
    return doc;
  }

  /**
   * A subscription the caller may steer: changing where it sends, what it carries, whether it
   * runs, its secret, or replaying into it needs every scope its event types need. Otherwise a
   * `webhooks:manage`-only credential could point a broader one's call.* subscription at itself.
   */
  private async findControlled(accountId: string, scopes: ReadonlySet<Scope>, id: string): Promise<WebhookSubscriptionDoc> {
    const doc = await this.find(accountId, id);
    assertMayReadEventTypes(scopes, carriedEventTypes(doc));
    return doc;
  }

  private async findDelivery(accountId: string, webhookId: string, deliveryId: string): Promise<WebhookDeliveryDoc> {
    await this.find(accountId, webhookId);
    if (!isId('delivery', deliveryId)) throw new ApiError('INVALID_ID', `${deliveryId} is not a delivery ID.`, { details: [{ field: 'delivery_id', issue: 'invalid_id', message: 'expected dlv_…' }] });
    const doc = await this.deliveries.findOne({ _id: deliveryId, account_id: accountId, subscription_id: webhookId }).lean<WebhookDeliveryDoc>();
    if (!doc) throw new NotFoundError('delivery', deliveryId);
    return doc;
  }
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function toWebhookView(doc: WebhookSubscriptionDoc): WebhookView {
  const retiring = doc.secrets.find((s) => s.expires_at && new Date(s.expires_at) > new Date());
  return {
    object: 'webhook',
    id: doc._id,
    url: doc.url,
    event_types: doc.event_types,
    agent_id: doc.agent_id,
    description: doc.description,
    enabled: doc.enabled,
    disabled_reason: doc.disabled_reason,
    disabled_at: iso(doc.disabled_at),
    failing_since: iso(doc.failing_since),
    secret_rotation_expires_at: retiring ? iso(retiring.expires_at) : null,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at.toISOString(),
  };
}

export function toDeliveryView(doc: WebhookDeliveryDoc): DeliveryView {
  return {
    object: 'webhook_delivery',
    id: doc._id,
    webhook_id: doc.subscription_id,
    event_id: doc.event_id,
    event_type: doc.event_type,
    status: doc.status,
    attempt_count: doc.attempt_count,
    last_attempt_at: iso(doc.last_attempt_at),
    last_http_status: doc.last_http_status,
    last_error: doc.last_error,
    next_attempt_at: iso(doc.next_attempt_at),
    created_at: doc.created_at.toISOString(),
  };
}

function toAttemptView(doc: DeliveryAttemptDoc): AttemptView {
  return {
    number: doc.number,
    trigger: doc.trigger,
    attempted_at: doc.attempted_at.toISOString(),
    http_status: doc.http_status,
    latency_ms: doc.latency_ms,
    error: doc.error,
    response_body: doc.response_body,
    response_truncated: doc.response_truncated,
  };
}
