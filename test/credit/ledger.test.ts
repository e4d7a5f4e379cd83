import { errorBody } from '../../api/http/error-middleware';
import { createCore, Core } from '../../core/composition-root';
import { loadConfig } from '../../core/config/config';
import { availableOf, CreditService, CreditSettings, MICROS_PER_USD } from '../../core/credit/credit-service';
import { ApiError } from '../../core/errors/errors';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';

/** The credit ledger against the real FerretDB: idempotent writes, holds, captures, snapshots, credit.low. */

let db: TestDatabase;
let core: Core;

beforeAll(async () => {
  db = await createTestDatabase('credit-ledger');
  core = createCore(loadConfig({}), db.connection, testLogger());
  await core.ensureIndexes();
});
afterAll(() => db?.drop());

const usd = (n: number) => Math.round(n * MICROS_PER_USD);

/** A service over the same collections whose clock the test moves. */
function clocked(start: Date, settings: Partial<CreditSettings> = {}) {
  let now = start.getTime();
  const service = new CreditService(core.models.creditLedger, core.models.creditSnapshots, core.events, {
    ...core.config.credit,
    clock: () => new Date(now),
    ...settings,
  });
  return { service, advance: (ms: number) => (now += ms), at: () => new Date(now) };
}

async function newAccount(name = 'Ledger Co'): Promise<string> {
  return (await core.accounts.create(name)).id;
}

describe('credit ledger', () => {
  it('a new account shows $50.00 available, about 300 minutes at the default rate', async () => {
    const id = await newAccount();
    expect(await core.credit.balance(id)).toEqual({ object: 'balance', available_usd: 50, reserved_usd: 0, minutes_remaining: 303, rate_per_minute_usd: 0.165 });
    expect((await core.accounts.get(id)).credit_balance).toEqual({ amount_cents: 5000, available_usd: 50, currency: 'usd' });
    // The signup grant is one entry, key `signup`: granting it again adds nothing.
    await core.credit.grant(id, { usd: 50 }, 'signup');
    expect((await core.credit.balance(id)).available_usd).toBe(50);
  });

  it('prices billable minutes rounded up, and holds WFW_OUTBOUND_HOLD_MINUTES of them', () => {
    expect(core.credit.priceMicros(0)).toBe(0);
    expect(core.credit.priceMicros(1)).toBe(165_000);
    expect(core.credit.priceMicros(60)).toBe(165_000);
    expect(core.credit.priceMicros(61)).toBe(330_000);
    expect(core.credit.holdMicros()).toBe(1_650_000);
  });

  it('concurrent captures of different holds all count', async () => {
    const id = await newAccount();
    const n = 20;
    await Promise.all(Array.from({ length: n }, (_, i) => core.credit.hold(id, `call-${i}`, core.credit.holdMicros(), { callId: `call-${i}`, agentId: 'agt_a' })));
    expect(await core.credit.balance(id)).toMatchObject({ available_usd: 17, reserved_usd: 33 });
    // Each call lasted i+1 minutes: some under their 10-minute hold, some past it.
    const price = (i: number) => core.credit.priceMicros((i + 1) * 60 - 5);
    const results = await Promise.all(Array.from({ length: n }, (_, i) => core.credit.capture(id, `call-${i}`, price(i), { minutes: i + 1 })));
    const charged = Array.from({ length: n }, (_, i) => price(i)).reduce((a, b) => a + b, 0);
    expect(results.reduce((a, r) => a + r.captured_micros, 0)).toBe(charged);
    const b = await core.credit.balanceMicros(id);
    expect(b).toMatchObject({ availableMicros: usd(50) - charged, reservedMicros: 0 });
    expect(availableOf(await core.credit.foldAll(id))).toBe(usd(50) - charged);
  });

  it('the same capture replayed (a retried activity) charges once, and a capture past the hold charges the overage once', async () => {
    const id = await newAccount();
    await core.credit.hold(id, 'call-r', usd(1.65), { callId: 'call-r' });
    const replays = await Promise.all(Array.from({ length: 5 }, () => core.credit.capture(id, 'call-r', usd(0.495), { minutes: 3 })));
    for (let i = 0; i < 3; i++) replays.push(await core.credit.capture(id, 'call-r', usd(0.495), { minutes: 3 }));
    for (const r of replays) expect(r).toMatchObject({ captured_micros: usd(0.495), released_micros: usd(1.155), beyond_hold_micros: 0 });
    expect(await core.credit.balance(id)).toMatchObject({ available_usd: 49.505, reserved_usd: 0 });

    await core.credit.hold(id, 'call-long', usd(1.65));
    for (let i = 0; i < 3; i++) await core.credit.capture(id, 'call-long', usd(2.475), { minutes: 15 });
    expect(await core.credit.balance(id)).toMatchObject({ available_usd: 47.03, reserved_usd: 0 });
    const entries = await core.models.creditLedger.find({ account_id: id }).lean();
    // grant, 2 holds, capture + release of the first, capture + beyond of the second
    expect(entries.map((e) => e.kind).sort()).toEqual(['capture', 'capture', 'capture', 'grant', 'hold', 'hold', 'release']);
  });

  it('a retried hold is one hold', async () => {
    const id = await newAccount();
    const holds = await Promise.all(Array.from({ length: 6 }, () => core.credit.hold(id, 'call-h', usd(1.65))));
    holds.push(await core.credit.hold(id, 'call-h', usd(1.65)));
    expect(new Set(holds.map((h) => h._id)).size).toBe(1);
    expect(await core.credit.balance(id)).toMatchObject({ available_usd: 48.35, reserved_usd: 1.65 });
  });

  it('a balance that reaches zero refuses the next hold with 402 INSUFFICIENT_CREDIT (recovery add_credit); a grant lets it through', async () => {
    const id = await newAccount();
    await core.credit.captureWithoutHold(id, 'inbound-1', usd(50), { minutes: 304, callId: 'call-in' });
    expect((await core.credit.balance(id)).available_usd).toBe(0);
    const refused = await core.credit.hold(id, 'call-z', core.credit.holdMicros()).catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused.status).toBe(402);
    expect(errorBody(refused, 'req_1')).toEqual({
      error: {
        code: 'INSUFFICIENT_CREDIT',
        message: expect.any(String),
        retryable: false,
        recovery: 'add_credit',
        request_id: 'req_1',
        details: [expect.objectContaining({ issue: 'insufficient_credit', available_usd: 0, required_usd: 1.65 })],
      },
    });
    expect(await core.models.creditLedger.countDocuments({ account_id: id, kind: 'hold' })).toBe(0);
    await core.credit.grant(id, { usd: 10 }, 'top-up-1', 'test');
    await expect(core.credit.hold(id, 'call-z', core.credit.holdMicros())).resolves.toMatchObject({ kind: 'hold' });
  });

  it('release returns the credit, once; a release after the capture gives nothing more back', async () => {
    const id = await newAccount();
    await core.credit.hold(id, 'call-x', usd(1.65));
    expect((await core.credit.balance(id)).available_usd).toBe(48.35);
    expect(await core.credit.release(id, 'call-x')).toMatchObject({ released_micros: usd(1.65) });
    await core.credit.release(id, 'call-x');
    expect(await core.credit.balance(id)).toMatchObject({ available_usd: 50, reserved_usd: 0 });

    await core.credit.hold(id, 'call-y', usd(1.65));
    await core.credit.capture(id, 'call-y', usd(0.33), { minutes: 2 });
    expect(await core.credit.release(id, 'call-y')).toMatchObject({ released_micros: 0 });
    expect(await core.credit.balance(id)).toMatchObject({ available_usd: 49.67, reserved_usd: 0 });
  });

  it('credit.low fires once at 20 % and once at 5 % of the last grant, even when captures are replayed', async () => {
    const id = await newAccount();
    const low = async () => (await core.events.list(id, { types: ['credit.low'], limit: 100 })).map((e) => e.data);
    // $50 grant: 20 % is $10, 5 % is $2.50.
    await core.credit.captureWithoutHold(id, 'c1', usd(39), { minutes: 1 });
    expect(await low()).toEqual([]);
    await core.credit.hold(id, 'h1', usd(1.65));
    for (let i = 0; i < 3; i++) await core.credit.capture(id, 'h1', usd(1.65), { minutes: 10 });
    expect(await low()).toEqual([{ account_id: id, available_usd: 9.35, threshold_usd: 10, threshold_percent: 20 }]);
    // A fresh service (another process, no memo of what it fired) replaying the same capture adds nothing.
    const other = clocked(new Date()).service;
    await other.capture(id, 'h1', usd(1.65), { minutes: 10 });
    await Promise.all([other.captureWithoutHold(id, 'c2', usd(7), { minutes: 1 }), core.credit.captureWithoutHold(id, 'c2', usd(7), { minutes: 1 })]);
    await other.captureWithoutHold(id, 'c3', usd(0.1), { minutes: 1 });
    const events = await low();
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({ account_id: id, available_usd: 2.35, threshold_usd: 2.5, threshold_percent: 5 });
    // A new grant measures again against itself: $10 → thresholds $2 and $0.50.
    await core.credit.grant(id, { usd: 10 }, 'top-up');
    await core.credit.captureWithoutHold(id, 'c4', usd(10.3), { minutes: 1 });
    expect((await low()).slice(2)).toEqual([{ account_id: id, available_usd: 1.95, threshold_usd: 2, threshold_percent: 20 }]);
  });

  it('usage groups captures by day and by agent', async () => {
    const id = await newAccount();
    const { service, advance } = clocked(new Date('2030-03-01T23:00:00Z'));
    await service.hold(id, 'u1', usd(1.65), { callId: 'call_1', agentId: 'agt_a' });
    await service.capture(id, 'u1', usd(0.33), { minutes: 2 });
    await service.captureWithoutHold(id, 'u2', usd(0.165), { minutes: 1, callId: 'call_2', agentId: 'agt_b' });
    advance(2 * 3600 * 1000); // 2030-03-02
    await service.hold(id, 'u3', usd(1.65), { callId: 'call_3', agentId: 'agt_a' });
    await service.capture(id, 'u3', usd(1.98), { minutes: 12 }); // beyond its hold: one call, 12 minutes
    const usage = await service.usage(id, { from: '2030-02-28', to: '2030-03-03' });
    expect(usage).toEqual({
      object: 'usage',
      from: '2030-02-28',
      to: '2030-03-03',
      currency: 'usd',
      totals: { calls: 3, minutes: 15, usd: 2.475 },
      days: [
        {
          date: '2030-03-01',
          calls: 2,
          minutes: 3,
          usd: 0.495,
          agents: expect.arrayContaining([
            { agent_id: 'agt_a', calls: 1, minutes: 2, usd: 0.33 },
            { agent_id: 'agt_b', calls: 1, minutes: 1, usd: 0.165 },
          ]),
        },
        { date: '2030-03-02', calls: 1, minutes: 12, usd: 1.98, agents: [{ agent_id: 'agt_a', calls: 1, minutes: 12, usd: 1.98 }] },
      ],
      agents: expect.arrayContaining([
        { agent_id: 'agt_a', calls: 2, minutes: 14, usd: 2.31 },
        { agent_id: 'agt_b', calls: 1, minutes: 1, usd: 0.165 },
      ]),
    });
    expect(usage.agents).toHaveLength(2);
    await expect(service.usage(id, { from: '2030-01-01', to: '2030-06-01' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('the snapshot path gives the balance folding every entry gives (many entries, snapshots at random points, over days)', async () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const id = await newAccount('Property Co');
    const { service, advance } = clocked(new Date('2031-01-01T00:00:00Z'), { snapshotEvery: 7 });
    await service.grant(id, { usd: 500 }, 'big');
    const open: string[] = [];
    let snapshots = 0;
    for (let i = 0; i < 300; i++) {
      advance(Math.floor(rand() * 40 * 60_000)); // up to 40 min: about 4 days in all
      const r = rand();
      if (r < 0.3) {
        const key = `p${i}`;
        await service.hold(id, key, usd(1.65)).then(() => open.push(key), () => undefined);
      } else if (r < 0.55 && open.length) {
        const key = open.splice(Math.floor(rand() * open.length), 1)[0];
        await service.capture(id, key, Math.floor(rand() * usd(3)), { minutes: 1 });
        if (rand() < 0.3) await service.capture(id, key, 1, { minutes: 1 }); // replayed: no effect
      } else if (r < 0.65 && open.length) {
        await service.release(id, open.splice(0, 1)[0]);
      } else if (r < 0.8) {
        await service.captureWithoutHold(id, `in${i}`, Math.floor(rand() * usd(0.5)), { minutes: 1 });
      } else if (r < 0.85) {
        await service.adjust(id, Math.floor((rand() - 0.5) * usd(2)), `adj${i}`, 'test');
      } else if (r < 0.92) {
        await service.snapshot(id);
        snapshots++;
      }
      if (i % 10 === 0 || r > 0.92) {
        const viaSnapshots = await service.totals(id);
        const all = await service.foldAll(id);
        expect({ i, available: availableOf(viaSnapshots), reserved: viaSnapshots.reserved_micros, grant: viaSnapshots.last_grant?.entry_id }).toEqual({
          i,
          available: availableOf(all),
          reserved: all.reserved_micros,
          grant: all.last_grant?.entry_id,
        });
      }
    }
    expect(snapshots).toBeGreaterThan(5);
    expect(await core.models.creditSnapshots.countDocuments({ account_id: id })).toBeGreaterThan(snapshots);
    // A read right after a long idle spell (no snapshot for days) still agrees.
    advance(10 * 24 * 3600 * 1000);
    expect(availableOf(await service.totals(id))).toBe(availableOf(await service.foldAll(id)));
  }, 120_000);
});
