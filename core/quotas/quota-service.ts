import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import type { QuotaConfig } from '../config/config';
import { isDuplicateKeyError } from '../db/database';
import { ApiError } from '../errors/errors';
import type { OperationDoc } from '../operations/operation-model';
import type { RateLimitService } from '../rate-limits/rate-limit-service';
import type { ServiceAccountDoc } from '../service-accounts/service-account-model';
import type { WebhookSubscriptionDoc } from '../webhooks/webhook-model';
import type { StreamSlotDoc } from './stream-slot-model';

export interface StreamSlot {
  /** Frees the slot (idempotent). */
  release(): Promise<void>;
}

export interface QuotaModels {
  serviceAccounts: Model<ServiceAccountDoc>;
  webhookSubscriptions: Model<WebhookSubscriptionDoc>;
  operations: Model<OperationDoc>;
  streamSlots: Model<StreamSlotDoc>;
}

/** How long a stream's slot lives without renewal; live streams renew it every third of this. */
export const STREAM_SLOT_LEASE_MS = 60_000;
/** What a client waiting for a busy account's operations or streams is told to wait. */
const BUSY_RETRY_AFTER_SECONDS = 10;

function quotaExceeded(what: string, limit: number, variable: string, options: { retryable: boolean; hint: string }): ApiError {
  return new ApiError('QUOTA_EXCEEDED', `The account's quota of ${limit} ${what} is reached; ${options.hint}`, {
    retryable: options.retryable,
    recovery: options.retryable ? 'retry_after_delay' : 'fix_request',
    ...(options.retryable ? { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS } : {}),
    details: [{ issue: 'quota_exceeded', message: `at most ${limit} ${what} per account (${variable})`, quota: what.replace(/ /g, '_'), limit }],
  });
}

/**
 * Per-account quotas (README "Quotas and limits"). Counts are equality queries on indexed fields
 * (FerretDB pushes equality down to PostgreSQL; `$in` and ranges it does not). Counting then
 * inserting is not atomic: concurrent creations can overshoot a count quota by as many requests
 * as race, which is accepted for webhooks, service accounts and operations in flight. Event
 * streams are held by slot documents on a unique `_id`, so their quota is exact.
 */
export class QuotaService {
  constructor(
    private readonly models: QuotaModels,
    readonly limits: QuotaConfig,
    private readonly rateLimits: RateLimitService,
    private readonly leaseMs = STREAM_SLOT_LEASE_MS,
  ) {}

  async assertServiceAccountRoom(accountId: string): Promise<void> {
    const active = await this.models.serviceAccounts.countDocuments({ account_id: accountId, revoked_at: null });
    if (active >= this.limits.maxServiceAccounts) {
      throw quotaExceeded('service accounts', this.limits.maxServiceAccounts, 'WFW_MAX_SERVICE_ACCOUNTS', { retryable: false, hint: 'revoke one first.' });
    }
  }

  async assertWebhookRoom(accountId: string): Promise<void> {
    const live = await this.models.webhookSubscriptions.countDocuments({ account_id: accountId, deleted_at: null });
    if (live >= this.limits.maxWebhooks) {
      throw quotaExceeded('webhooks', this.limits.maxWebhooks, 'WFW_MAX_WEBHOOKS', { retryable: false, hint: 'delete one first.' });
    }
  }

  /** Pending plus running operations: two equality counts (indexed on account_id + status), never a scan. */
  async operationsInFlight(accountId: string): Promise<number> {
    const [pending, running] = await Promise.all([
      this.models.operations.countDocuments({ account_id: accountId, status: 'pending' }),
      this.models.operations.countDocuments({ account_id: accountId, status: 'running' }),
    ]);
    return pending + running;
  }

  /** Room for `adding` more operations (a batch adds one per item). */
  async assertOperationRoom(accountId: string, adding = 1): Promise<void> {
    if (adding <= 0) return;
    const inFlight = await this.operationsInFlight(accountId);
    if (inFlight + adding > this.limits.maxOperationsInFlight) {
      throw quotaExceeded('operations in flight', this.limits.maxOperationsInFlight, 'WFW_MAX_OPERATIONS_IN_FLIGHT', {
        retryable: true,
        hint: `${inFlight} are pending or running and this request adds ${adding}; retry when some have finished.`,
      });
    }
  }

  /** POST /v2/scout/research: a bucket per account per minute, counted like the request rate limits. */
  async consumeResearch(accountId: string): Promise<void> {
    const state = await this.rateLimits.consumeBucket(`research:${accountId}`, { requestsPerWindow: this.limits.researchPerMinute, windowSeconds: 60 });
    if (!state.allowed) {
      throw new ApiError('RATE_LIMITED', `The account's limit of ${state.limit} research requests per minute is reached.`, {
        retryAfterSeconds: state.resetSeconds,
        details: [{ issue: 'research_rate_limited', message: `at most ${state.limit} research requests per ${state.windowSeconds} s per account (WFW_RESEARCH_PER_MINUTE)`, limit: state.limit, window_seconds: state.windowSeconds }],
      });
    }
  }

  /**
   * Takes one of the account's event-stream slots, renewed while held. Each slot is an insert on
   * `<account>:<n>`; an expired slot (its process died) is deleted by its holder's ID and taken.
   */
  async acquireStreamSlot(accountId: string, now = () => Date.now()): Promise<StreamSlot> {
    const holder = randomUUID();
    const slots = this.models.streamSlots;
    for (let n = 0; n < this.limits.maxEventStreams; n++) {
      const _id = `${accountId}:${n}`;
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await slots.create({ _id, account_id: accountId, holder, expires_at: new Date(now() + this.leaseMs) });
          return this.held(_id, holder, now);
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
        }
        const current = await slots.findById(_id).lean<StreamSlotDoc>();
        if (current && current.expires_at.getTime() > now()) break; // live: try the next slot
        if (current) await slots.deleteOne({ _id, holder: current.holder });
      }
    }
    throw quotaExceeded('concurrent event streams', this.limits.maxEventStreams, 'WFW_MAX_EVENT_STREAMS', { retryable: true, hint: 'close one, or retry later.' });
  }

  private held(_id: string, holder: string, now: () => number): StreamSlot {
    const slots = this.models.streamSlots;
    const renew = setInterval(() => {
      void slots.updateOne({ _id, holder }, { $set: { expires_at: new Date(now() + this.leaseMs) } }).catch(() => undefined);
    }, Math.max(1000, Math.floor(this.leaseMs / 3)));
    renew.unref();
    let released: Promise<void> | undefined;
    return {
      release: () => {
        clearInterval(renew);
        released ??= slots.deleteOne({ _id, holder }).then(() => undefined);
        return released;
      },
    };
  }
}
