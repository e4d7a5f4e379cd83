import { encodeTime } from 'ulid';
import { createCore, Core } from '../../core/composition-root';
import { loadConfig } from '../../core/config/config';
import type { EventDoc } from '../../core/events/event-model';
import { EventSequencer } from '../../core/events/event-sequencer';
import { EventTailer, TailerTimers } from '../../core/events/event-tailer';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { appendAgentEvent, eventually, sleep } from './event-test-kit';
import { retentionDay } from '../../core/maintenance/retention';

/** Timers the test fires by hand: what is pending is exactly what the tailer scheduled (its next poll). */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let last = 0;
  const timers: TailerTimers = {
    set(callback) {
      pending.set(++last, callback);
      return last;
    },
    clear: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    get pending() {
      return pending.size;
    },
    /** Fires whatever is scheduled, as if its time had come; returns how many fired. */
    fire(): number {
      const due = [...pending.values()];
      pending.clear();
      for (const callback of due) callback();
      return due.length;
    },
  };
}

describe('EventTailer (real database)', () => {
  let db: TestDatabase;
  let core: Core;
  let tailer: EventTailer;
  beforeAll(async () => {
    db = await createTestDatabase('events-tailer');
    core = createCore({ ...loadConfig({}), mongodbUri: db.uri }, db.connection, testLogger());
    await core.ensureIndexes();
  });
  afterEach(() => tailer?.stop());
  afterAll(() => db.drop());

  it('does not query while nobody listens, and stops again when the last subscriber leaves', async () => {
    const clock = manualTimers();
    tailer = new EventTailer(core.models.events, { intervalMs: 20, timers: clock.timers });
    tailer.start();
    // Nobody listens: nothing is scheduled, so however often time passes, no poll runs.
    for (let tick = 0; tick < 10; tick++) expect(clock.fire()).toBe(0);
    expect(tailer.stats).toMatchObject({ polls: 0, queries: 0 });

    const off = tailer.subscribe('acct_nobody', () => undefined);
    for (let n = 1; n <= 3; n++) {
      expect(clock.fire()).toBe(1);
      // A poll is over when it has counted itself and scheduled the next one.
      await eventually(() => tailer.stats.polls === n && clock.pending === 1, 3000, `poll ${n}`);
    }
    expect(tailer.stats.queries).toBeGreaterThanOrEqual(3);

    // The last subscriber leaves between two polls: the next one is cancelled.
    off();
    expect(clock.pending).toBe(0);
    let queries = tailer.stats.queries;
    for (let tick = 0; tick < 10; tick++) expect(clock.fire()).toBe(0);
    expect(tailer.stats.queries).toBe(queries);

    // It leaves during a poll: that poll ends and schedules none after it.
    const again = tailer.subscribe('acct_nobody', () => undefined);
    expect(clock.fire()).toBe(1);
    again();
    await eventually(() => tailer.stats.polls === 4, 3000, 'the poll in flight');
    expect(clock.pending).toBe(0);
    queries = tailer.stats.queries;
    for (let tick = 0; tick < 10; tick++) expect(clock.fire()).toBe(0);
    expect(tailer.stats.queries).toBe(queries);
  });

  it('fans each new event out once to its account’s subscribers only, including one inserted late', async () => {
    tailer = new EventTailer(core.models.events, { intervalMs: 20, recentLookbackMs: 200, lookbackMs: 5000, sweepEveryMs: 300 });
    tailer.start();
    const a = (await core.accounts.create('A')).id;
    const b = (await core.accounts.create('B')).id;
    const gotA1: EventDoc[] = [];
    const gotA2: EventDoc[] = [];
    const gotB: EventDoc[] = [];
    const offs = [tailer.subscribe(a, (d) => gotA1.push(d)), tailer.subscribe(a, (d) => gotA2.push(d)), tailer.subscribe(b, (d) => gotB.push(d))];
    await eventually(() => tailer.stats.polls >= 1, 3000, 'first poll');
    for (let i = 0; i < 3; i++) await appendAgentEvent(core, a);
    await appendAgentEvent(core, b);
    // An insert whose ID was made 2 s ago (a slow writer): older than the recent lookback, found by the sweep.
    const lateId = `evt_${encodeTime(Date.now() - 2000, 10).toLowerCase()}${'0'.repeat(15)}1`;
    await core.models.events.create({ _id: lateId, account_id: a, seq: 99, type: 'kb.synced', agent_id: null, data: { agent_id: 'agt_x', doc_id: 'kb_1', version: 1 }, dedupe_key: 'late', created_at: new Date(Date.now() - 2000), retention_day: retentionDay(new Date(Date.now() - 2000)) });
    await eventually(() => gotA1.length === 4 && gotB.length === 1, 5000, 'fan-out');
    // Several polls and a sweep re-read the same window: a poll takes at least intervalMs, so this
    // many polls span more than sweepEveryMs, hence at least one sweep.
    const polled = tailer.stats.polls;
    await eventually(() => tailer.stats.polls >= polled + Math.ceil(300 / 20) + 1, 5000, 'a sweep');
    expect(gotA1.map((d) => d.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 99]);
    expect(gotA2.map((d) => d._id)).toEqual(gotA1.map((d) => d._id));
    expect(gotB.map((d) => d.account_id)).toEqual([b]);
    offs.forEach((off) => off());
  });
});

describe('EventSequencer', () => {
  const doc = (seq: number, createdAt = Date.now()): EventDoc => ({ _id: `evt_${seq}`, account_id: 'acct_1', seq, type: 'agent.updated', agent_id: null, data: {}, dedupe_key: String(seq), created_at: new Date(createdAt) }) as EventDoc;

  const GRACE_MS = 200;
  function make(start: number, fill: (from: number, to: number) => Promise<EventDoc[]> = async () => []) {
    const out: number[] = [];
    const emittedAt: number[] = [];
    const skips: Array<[number, number]> = [];
    const s = new EventSequencer(start, {
      gapGraceMs: GRACE_MS,
      fill,
      emit: (d) => {
        out.push(d.seq);
        emittedAt.push(Date.now());
      },
      onSkip: (f, t) => skips.push([f, t]),
    });
    return { s, out, emittedAt, skips };
  }

  it('emits in order whatever the arrival order, each sequence once', () => {
    const { s, out } = make(0);
    for (const n of [2, 1, 1, 4, 3, 2, 5]) s.offer(doc(n));
    expect(out).toEqual([1, 2, 3, 4, 5]);
    s.close();
  });

  it('asks the database for a hole once its grace period is over, then skips what is still missing', async () => {
    const asked: Array<[number, number]> = [];
    const askedAt: number[] = [];
    const { s, out, emittedAt, skips } = make(0, async (from, to) => {
      asked.push([from, to]);
      askedAt.push(Date.now());
      return from <= 2 && to > 2 ? [doc(2)] : [];
    });
    s.offer(doc(1));
    const heldFrom = Date.now();
    s.offer(doc(4));
    expect(out).toEqual([1]);
    await eventually(() => out.length === 3, 3000, 'the hole decided');
    // Nothing behind the hole went out, and the database was not asked, before the grace period
    // (timers count from the event loop's cached clock, which may be a few ms behind Date.now()).
    expect(askedAt[0] - heldFrom).toBeGreaterThanOrEqual(GRACE_MS - 5);
    expect(emittedAt[1] - heldFrom).toBeGreaterThanOrEqual(GRACE_MS - 5);
    expect(asked).toEqual([[2, 4]]);
    expect(out).toEqual([1, 2, 4]);
    expect(skips).toEqual([[3, 4]]);
    s.close();
  });

  it('skips an old hole at once when the event after it comes from a database read', () => {
    const { s, out } = make(0);
    s.offer(doc(1, Date.now() - 60_000), true);
    s.offer(doc(3, Date.now() - 60_000), true);
    expect(out).toEqual([1, 3]);
    s.close();
  });

  it('holds everything while paused (replay) and decides on holes only after', async () => {
    const { s, out, emittedAt } = make(0);
    s.pause();
    s.offer(doc(2));
    await sleep(GRACE_MS + 100); // the scenario: paused for longer than the grace period
    expect(out).toEqual([]);
    const resumedAt = Date.now();
    s.resume();
    await eventually(() => out.length > 0, 3000, 'the hole decided after the pause');
    expect(out).toEqual([2]);
    // Decided on the resume, not before it; at once, since the hole's grace ran out during the pause.
    expect(emittedAt[0]).toBeGreaterThanOrEqual(resumedAt);
    expect(emittedAt[0] - resumedAt).toBeLessThan(GRACE_MS);
    s.close();
  });
});
