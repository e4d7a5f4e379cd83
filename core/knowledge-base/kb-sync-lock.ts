import { Connection, Model, Schema } from 'mongoose';
import { insertOnce, isDuplicateKeyError } from '../db/database';
import { DocOf } from '../db/schema-types';
import { StoreContention } from '../errors/infrastructure-error';

/**
 * One sync at a time per agent. A push creates the new version's platform documents, swaps the
 * agent to them and deletes the agent's other documents; two pushes at once could delete what
 * the other just made, or the one that read the older version could land last and leave the
 * platform serving it while `synced_version` names the newer one. Each sync operation therefore
 * holds the agent's lock while it reads and pushes (and while its compensation pushes back).
 *
 * The lock is a lease: a worker that dies holding it blocks others only until it expires, and
 * the same operation's retry takes it back at once. Taken by insert on the unique `_id` (atomic
 * on FerretDB too); an expired lease is taken over by a conditional update.
 */
const kbSyncLockFields = {
  /** The agent's ID. */
  _id: { type: String, required: true },
  /** The sync operation holding the lock. */
  holder: { type: String, required: true },
  expires_at: { type: Date, required: true },
} as const;

export type KbSyncLockDoc = DocOf<typeof kbSyncLockFields>;

const kbSyncLockSchema = new Schema<KbSyncLockDoc>(kbSyncLockFields, { versionKey: false, collection: 'kb_sync_locks' });

export function kbSyncLockModel(connection: Connection): Model<KbSyncLockDoc> {
  return connection.models.KbSyncLock ?? connection.model<KbSyncLockDoc>('KbSyncLock', kbSyncLockSchema);
}

/** Longer than a push may run (its activity's start-to-close is 60 s), so a live push keeps it. */
export const KB_SYNC_LEASE_MS = 90_000;

export class KbSyncLock {
  constructor(
    private readonly locks: Model<KbSyncLockDoc>,
    private readonly leaseMs = KB_SYNC_LEASE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `body` holding the agent's lock for `holder`. Held by another sync: StoreContention,
   * which the activity waits out and retries like any contention (it never fails the operation).
   */
  async withLock<T>(agentId: string, holder: string, body: () => Promise<T>): Promise<T> {
    if (!(await this.acquire(agentId, holder))) throw new StoreContention(`another knowledge-base sync of agent ${agentId} is running`);
    try {
      return await body();
    } finally {
      await this.release(agentId, holder).catch(() => undefined);
    }
  }

  async acquire(agentId: string, holder: string): Promise<boolean> {
    const expires = new Date(this.now() + this.leaseMs);
    const mine: KbSyncLockDoc = { _id: agentId, holder, expires_at: expires };
    let held: KbSyncLockDoc;
    try {
      held = await insertOnce(this.locks, mine);
    } catch (err) {
      // Released between our insert and our read of the holder: free now, taken at the next try.
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    if (held === mine) return true;
    if (held.holder !== holder && held.expires_at.getTime() > this.now()) return false;
    // Ours already (a retry after a crash), or expired: renew it, unless someone else got there first.
    const res = await this.locks.updateOne({ _id: agentId, holder: held.holder, expires_at: held.expires_at }, { $set: { holder, expires_at: expires } });
    return res.matchedCount > 0;
  }

  async release(agentId: string, holder: string): Promise<void> {
    await this.locks.deleteOne({ _id: agentId, holder });
  }
}
