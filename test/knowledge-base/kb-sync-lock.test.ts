import { isInfrastructureError } from '../../core/errors/infrastructure-error';
import { KbSyncLock, kbSyncLockModel } from '../../core/knowledge-base/kb-sync-lock';
import { createTestDatabase, TestDatabase } from '../support/test-database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('kblock');
});
afterAll(async () => {
  await db?.drop();
});

describe('KB sync lock (one sync per agent at a time)', () => {
  it('refuses a second sync while the first holds it, and lets it in once released', async () => {
    const lock = new KbSyncLock(kbSyncLockModel(db.connection));
    expect(await lock.acquire('agt_a', 'op_1')).toBe(true);
    expect(await lock.acquire('agt_a', 'op_2')).toBe(false);
    // Another agent is not held up.
    expect(await lock.acquire('agt_b', 'op_2')).toBe(true);
    // Held by another sync: contention, which the activity waits out (never a failed operation).
    const refused = await lock.withLock('agt_a', 'op_2', async () => 'ran').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(isInfrastructureError(refused)).toBe(true);
    await lock.release('agt_a', 'op_1');
    expect(await lock.withLock('agt_a', 'op_2', async () => 'ran')).toBe('ran');
    // withLock released it again.
    expect(await lock.acquire('agt_a', 'op_3')).toBe(true);
  });

  it("the same operation's retry takes its lock back at once; a dead holder's lease is taken over when it expires", async () => {
    let now = Date.parse('2026-12-03T12:00:00Z');
    const lock = new KbSyncLock(kbSyncLockModel(db.connection), 90_000, () => now);
    expect(await lock.acquire('agt_c', 'op_crashed')).toBe(true);
    expect(await lock.acquire('agt_c', 'op_crashed')).toBe(true);
    expect(await lock.acquire('agt_c', 'op_next')).toBe(false);
    now += 89_000;
    expect(await lock.acquire('agt_c', 'op_next')).toBe(false);
    now += 2_000;
    expect(await lock.acquire('agt_c', 'op_next')).toBe(true);
    // The old holder's late release does not free the new holder's lock.
    await lock.release('agt_c', 'op_crashed');
    expect(await lock.acquire('agt_c', 'op_other')).toBe(false);
  });

  it('a failing body still releases the lock', async () => {
    const lock = new KbSyncLock(kbSyncLockModel(db.connection));
    await expect(lock.withLock('agt_d', 'op_1', async () => Promise.reject(new Error('platform down')))).rejects.toThrow('platform down');
    expect(await lock.acquire('agt_d', 'op_2')).toBe(true);
  });
});
