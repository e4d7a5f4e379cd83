import { Model } from 'mongoose';
import { isDuplicateKeyError } from '../db/database';
import { RateLimitWindowDoc } from './rate-limit-model';

export interface RateLimitPolicy {
  requestsPerWindow: number;
  windowSeconds: number;
}

export interface RateLimitState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (at least 1). */
  resetSeconds: number;
  windowSeconds: number;
}

/**
 * Fixed-window counters in the database: one $inc per request, so the limit holds across any
 * number of API instances. A window's document is swept after it ends. Buckets: each credential
 * (the `default` policy), each account, each client IP at the token endpoint, research per account.
 * On FerretDB an upserting $inc reads then writes, so concurrent requests can undercount a
 * window by a few (a small overshoot of the limit, accepted).
 */
export class RateLimitService {
  constructor(
    private readonly windows: Model<RateLimitWindowDoc>,
    private readonly policy: RateLimitPolicy,
  ) {}

  get currentPolicy(): RateLimitPolicy {
    return this.policy;
  }

  async consume(credentialId: string, now = Date.now()): Promise<RateLimitState> {
    return this.consumeBucket(credentialId, this.policy, now);
  }

  /** Counts one request in `key`'s current window under `policy` (keys are prefixed by kind: `acct:`, `ip:`…). */
  async consumeBucket(key: string, policy: RateLimitPolicy, now = Date.now()): Promise<RateLimitState> {
    const windowMs = policy.windowSeconds * 1000;
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const windowEnd = windowStart + windowMs;
    const id = `${key}:${windowStart}`;
    let doc: RateLimitWindowDoc | null = null;
    for (let attempt = 0; attempt < 2 && !doc; attempt++) {
      try {
        doc = await this.windows
          .findOneAndUpdate({ _id: id }, { $inc: { count: 1 }, $setOnInsert: { expires_at: new Date(windowEnd) } }, { upsert: true, returnDocument: 'after' })
          .lean<RateLimitWindowDoc>();
      } catch (err) {
        // Two first requests of a window can race on the upsert; the loser just increments.
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    const count = doc?.count ?? policy.requestsPerWindow + 1;
    return {
      allowed: count <= policy.requestsPerWindow,
      limit: policy.requestsPerWindow,
      remaining: Math.max(0, policy.requestsPerWindow - count),
      resetSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)),
      windowSeconds: policy.windowSeconds,
    };
  }

  async sweepExpired(now = new Date()): Promise<number> {
    const res = await this.windows.deleteMany({ expires_at: { $lte: now } });
    return res.deletedCount ?? 0;
  }
}
