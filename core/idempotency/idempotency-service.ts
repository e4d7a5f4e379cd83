import { Model } from 'mongoose';
import { isDuplicateKeyError } from '../db/database';
import { ApiError } from '../errors/errors';
import type { SealedSecret, SecretBox } from '../secrets/secret-box';
import { IdempotencyRecordDoc, StoredResponse } from './idempotency-model';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long one request may hold a key before it is presumed dead. */
const LOCK_MS = 60 * 1000;

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
          locked_until: new Date(now.getTime() + LOCK_MS),
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
          { $set: { locked_until: new Date(now.getTime() + LOCK_MS) } },
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

  /** Releases a claim whose request did not execute (validation failure, transient error) so a retry can run it. */
  async release(accountId: string, key: string): Promise<void> {
    await this.records.deleteOne({ _id: `${accountId}:${key}`, state: 'in_progress' });
  }

  async sweepExpired(now = new Date()): Promise<number> {
    const res = await this.records.deleteMany({ expires_at: { $lte: now } });
    return res.deletedCount ?? 0;
  }
}
