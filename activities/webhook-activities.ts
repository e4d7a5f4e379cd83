import { Context } from '@temporalio/activity';
import type { Model } from 'mongoose';
import type { OutboundHttpClient } from '../core/outbound/outbound-http-client';
import { OutboundRequestFailed } from '../core/outbound/outbound-http-client';
import { OutboundUrlRefused } from '../core/outbound/outbound-url-guard';
import type { DeliveryAttemptDoc, WebhookDeliveryDoc, WebhookSubscriptionDoc } from '../core/webhooks/webhook-model';
import type { WebhookService } from '../core/webhooks/webhook-service';
import { signatureHeader } from '../core/webhooks/webhook-signer';
import type { AttemptResult } from '../workflows/webhook-workflow-types';
import { asActivity, failure } from './activity-errors';
import { retentionDay } from '../core/maintenance/retention';

export interface WebhookActivityDeps {
  subscriptions: Model<WebhookSubscriptionDoc>;
  deliveries: Model<WebhookDeliveryDoc>;
  attempts: Model<DeliveryAttemptDoc>;
  webhooks: WebhookService;
  outbound: OutboundHttpClient;
  settings: { timeoutMs: number; disableAfterSeconds: number };
}

/** Kept from each response so a developer can see what their endpoint said. */
const RESPONSE_BODY_LIMIT = 4096;

function retryAfterSeconds(header: string | string[] | undefined, now: number): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export function createWebhookActivities(deps: WebhookActivityDeps) {
  const { deliveries, subscriptions } = deps;

  async function disable(sub: WebhookSubscriptionDoc, reason: string): Promise<void> {
    await subscriptions.updateOne({ _id: sub._id, enabled: true }, { $set: { enabled: false, disabled_reason: reason, disabled_at: new Date(), updated_at: new Date() } });
  }

  return {
    async attemptDelivery({ deliveryId, number, trigger }: { deliveryId: string; number: number; trigger: 'scheduled' | 'manual' }): Promise<AttemptResult> {
      return asActivity(async () => {
        const delivery = await deliveries.findById(deliveryId).lean<WebhookDeliveryDoc>();
        if (!delivery) return { outcome: 'skipped', httpStatus: null, retryAfterSeconds: null };
        if (delivery.status === 'succeeded' && trigger === 'scheduled') return { outcome: 'succeeded', httpStatus: delivery.last_http_status, retryAfterSeconds: null };
        const sub = await subscriptions.findById(delivery.subscription_id).lean<WebhookSubscriptionDoc>();
        if (!sub || sub.deleted_at || !sub.enabled) {
          await deliveries.updateOne({ _id: deliveryId, status: { $ne: 'succeeded' } }, { $set: { status: 'abandoned', next_attempt_at: null, last_error: sub?.disabled_reason ?? 'webhook deleted', updated_at: new Date() } });
          return { outcome: 'skipped', httpStatus: null, retryAfterSeconds: null };
        }

        const started = Date.now();
        const timestamp = Math.floor(started / 1000);
        let secrets: string[];
        try {
          secrets = await deps.webhooks.activeSecrets(sub);
        } catch (err) {
          // A secret sealed under a key this process no longer has will not open on a retry either.
          Context.current().log.error('webhook signing secret could not be opened', { delivery_id: deliveryId, webhook_id: sub._id, error: (err as Error).message });
          throw failure('WEBHOOK_SECRET_UNREADABLE', 'the signing secret could not be read');
        }
        let httpStatus: number | null = null;
        let error: string | null = null;
        let responseBody: string | null = null;
        let truncated = false;
        let retryAfter: number | null = null;
        try {
          // Redirects are never followed: a 3xx is a failed attempt like any non-2xx.
          const res = await deps.outbound.request(sub.url, {
            method: 'POST',
            body: delivery.body,
            maxRedirects: 0,
            timeoutMs: deps.settings.timeoutMs,
            maxBytes: RESPONSE_BODY_LIMIT,
            onOversize: 'truncate',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'WorkforceWave-Webhooks/1.0',
              'webhook-id': deliveryId,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': signatureHeader(secrets, deliveryId, timestamp, delivery.body),
            },
          });
          httpStatus = res.status;
          responseBody = res.body.toString('utf8');
          truncated = res.truncated;
          if (res.status === 429 || res.status === 503) retryAfter = retryAfterSeconds(res.headers['retry-after'], Date.now());
          if (res.status < 200 || res.status >= 300) error = `endpoint answered ${res.status}`;
        } catch (err) {
          if (err instanceof OutboundUrlRefused && err.resolvedAddress) {
            Context.current().log.warn('webhook URL refused by the outbound guard', { delivery_id: deliveryId, reason: err.reason, resolved_address: err.resolvedAddress });
          }
          if (!(err instanceof OutboundUrlRefused) && !(err instanceof OutboundRequestFailed)) {
            Context.current().log.warn('webhook attempt failed unexpectedly', { delivery_id: deliveryId, error: (err as Error).message });
          }
          // last_error is shown to the client: our own words only.
          error = err instanceof OutboundUrlRefused ? `refused: ${err.message}` : err instanceof OutboundRequestFailed ? `${err.reason}: ${err.message}` : 'the request failed';
        }
        const latency = Date.now() - started;
        const ok = error === null;
        const now = new Date();
        // The same attempt number re-run after a crash overwrites its own record, never adds one.
        await deps.attempts.replaceOne(
          { _id: `${deliveryId}:${number}` },
          { _id: `${deliveryId}:${number}`, delivery_id: deliveryId, account_id: delivery.account_id, number, trigger, attempted_at: now, http_status: httpStatus, latency_ms: latency, error, response_body: responseBody, response_truncated: truncated, retention_day: retentionDay(now) },
          { upsert: true },
        );
        await deliveries.updateOne(
          { _id: deliveryId },
          {
            $set: { status: ok ? 'succeeded' : 'retrying', last_attempt_at: now, last_http_status: httpStatus, last_error: error, next_attempt_at: null, updated_at: now },
            $max: { attempt_count: number },
          },
        );
        if (ok) {
          if (sub.failing_since) await subscriptions.updateOne({ _id: sub._id }, { $set: { failing_since: null } });
          return { outcome: 'succeeded', httpStatus, retryAfterSeconds: null };
        }
        if (httpStatus === 410) {
          await disable(sub, 'the endpoint answered 410 Gone');
          await deliveries.updateOne({ _id: deliveryId }, { $set: { status: 'failed' } });
          return { outcome: 'gone', httpStatus, retryAfterSeconds: null };
        }
        const failingSince = sub.failing_since ?? now;
        if (!sub.failing_since) await subscriptions.updateOne({ _id: sub._id, failing_since: null }, { $set: { failing_since: now } });
        if (now.getTime() - new Date(failingSince).getTime() > deps.settings.disableAfterSeconds * 1000) {
          await disable(sub, `deliveries have been failing since ${new Date(failingSince).toISOString()}`);
        }
        Context.current().heartbeat();
        return { outcome: 'failed', httpStatus, retryAfterSeconds: retryAfter };
      });
    },

    async scheduleRetry({ deliveryId, at }: { deliveryId: string; at: string }): Promise<void> {
      await asActivity(() => deliveries.updateOne({ _id: deliveryId, status: 'retrying' }, { $set: { next_attempt_at: new Date(at), updated_at: new Date() } }));
    },

    /** `error`, when given, says why the delivery ended without the endpoint's answer deciding it. */
    async finishDelivery({ deliveryId, status, error }: { deliveryId: string; status: 'failed'; error?: string }): Promise<void> {
      const set: Record<string, unknown> = { status, next_attempt_at: null, updated_at: new Date() };
      if (error !== undefined) set.last_error = error;
      await asActivity(() => deliveries.updateOne({ _id: deliveryId, status: { $nin: ['succeeded', 'abandoned'] } }, { $set: set }));
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
