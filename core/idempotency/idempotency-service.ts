import { Model } from 'mongoose';
import { isDuplicateKeyError } from '../db/database';
import { ApiError } from '../errors/errors';
import type { SealedSecret, SecretBox } from '../secrets/secret-box';
import { IdempotencyRecordDoc, StoredResponse } from './idempotency-model';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a claim outlives its holder's last sign of life before another request may take it over. */
export const DEFAULT_IDEMPOTENCY_LOCK_MS = 60 * 1000;

/** `claimedAt` is stable across a takeover: work can derive its IDs from (key, claimedAt) to stay idempotent after a crash. */
export type IdempotencyDecision = { kind: 'execute'; claimedAt: Date } | { kind: 'replay'; response: StoredResponse };

/**
 * Idempotency keys per account, kept in the database so that every API instance sees the same
 * keys. Claiming a key is one insert on a unique _id, so two concurrent duplicates can never both run.
 */
export class IdempotencyService {
  constructor(
    private readonly records: Model<IdempotencyRecordDoc>,
    private readonly box: SecretBox,
    private readonly lockMs = DEFAULT_IDEMPOTENCY_LOCK_MS,
  ) {}

  async begin(accountId: string, key: string, fingerprint: string): Promise<IdempotencyDecision> {
    const id = `${accountId}:${key}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = new Date();
      try {
        await this.records.create({
          _id: id,
          account_id: accountId,
          key,
          fingerprint,
          state: 'in_progress',
          locked_until: new Date(now.getTime() + this.lockMs),
          response: null,
          created_at: now,
          expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        });
        return { kind: 'execute', claimedAt: now };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const existing = await this.records.findById(id).lean<IdempotencyRecordDoc>();
      if (!existing) continue;
      if (existing.expires_at <= now) {
        await this.records.deleteOne({ _id: id, created_at: existing.created_at });
        continue;
      }
      if (existing.fingerprint !== fingerprint) {
        throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.', {
          details: [{ field: 'Idempotency-Key', issue: 'reused', message: 'the method, path or body differs from the first request with this key' }],
        });
      }
      if (existing.state === 'completed' && existing.response) {
        const sealed = existing.response as StoredResponse & { sealed_body?: SealedSecret };
        const body = sealed.sealed_body ? await this.box.open(sealed.sealed_body) : '';
        return { kind: 'replay', response: { status: sealed.status, body, content_type: sealed.content_type, headers: sealed.headers } };
      }
      if (existing.locked_until <= now) {
        // The first holder died mid-request (no response was ever stored): take the key over atomically.
        const taken = await this.records.findOneAndUpdate(
          { _id: id, state: 'in_progress', locked_until: existing.locked_until },
          { $set: { locked_until: new Date(now.getTime() + this.lockMs) } },
        );
        if (taken) return { kind: 'execute', claimedAt: existing.created_at };
      }
      throw new ApiError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still in progress.', {
        retryAfterSeconds: 1,
        details: [{ field: 'Idempotency-Key', issue: 'in_progress', message: 'retry after the first request completes' }],
      });
    }
    throw new ApiError('IDEMPOTENCY_KEY_IN_USE', 'This Idempotency-Key is contended; retry.', { retryAfterSeconds: 1 });
  }

  /**
   * The body is sealed before it is stored: a replayed response may be the one that showed a
   * secret (a new service account's key, a webhook signing secret), and a database dump must not.
   */
  async complete(accountId: string, key: string, response: StoredResponse): Promise<void> {
    const { body, ...rest } = response;
    const stored = { ...rest, body: '', sealed_body: body === '' ? null : await this.box.seal(body) };
    await this.records.updateOne({ _id: `${accountId}:${key}`, state: 'in_progress' }, { $set: { state: 'completed', response: stored } });
  }

  /**
   * Keeps the claim locked while its request runs, so a slow request (a 100-item batch) is never
   * taken over by a retry and executed twice at once; the lock can then stay short, and a retry
   * after a crash does not wait long. `stop()` waits for a renewal in flight, so nothing re-locks
   * a claim after reopen().
   */
  hold(accountId: string, key: string): { stop(): Promise<void> } {
    let inFlight: Promise<unknown> = Promise.resolve();
    const renew = () => {
      const now = new Date();
      // Only a claim still locked is ours to extend: reopen() unlocks it, complete() settles it.
      inFlight = this.records
        .updateOne({ _id: `${accountId}:${key}`, state: 'in_progress', locked_until: { $gt: now } }, { $set: { locked_until: new Date(now.getTime() + this.lockMs) } })
        .catch(() => undefined);
    };
    const timer = setInterval(renew, Math.max(100, Math.floor(this.lockMs / 3)));
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await inFlight;
      },
    };
  }

  /**
   * A request whose outcome is not definite (a transient failure) stores nothing, but keeps its
   * claim and its claim time, unlocked: the retry takes it over at once and derives the same IDs,
   * so it finishes what this attempt wrote instead of writing it a second time.
   */
  async reopen(accountId: string, key: string): Promise<void> {
    await this.records.updateOne({ _id: `${accountId}:${key}`, state: 'in_progress' }, { $set: { locked_until: new Date(0) } });
  }

  async sweepExpired(now = new Date()): Promise<number> {
    const res = await this.records.deleteMany({ expires_at: { $lte: now } });
    return res.deletedCount ?? 0;
  }
}
