import { LOCAL_DEFAULT_AREA_CODE, LocalTelephonyAdapter } from '../../core/telephony/local-telephony-adapter';
import { localPhoneNumberModel } from '../../core/telephony/local-phone-number-model';
import { TELEPHONY_NAMES } from '../../core/telephony/telephony-adapter';
import { createTelephonyAdapters } from '../../core/telephony/telephony-registry';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('local telephony pool (FerretDB)', () => {
  let db: TestDatabase;
  let adapter: LocalTelephonyAdapter;

  beforeAll(async () => {
    db = await createTestDatabase('localtelephony');
    adapter = new LocalTelephonyAdapter(localPhoneNumberModel(db.connection));
  });
  afterAll(() => db.drop());

  it('hands out fictional 555 numbers in the requested area code, or the default one', async () => {
    const defaulted = await adapter.acquireNumber(null, { account_id: 'acct_pool_a', country: 'US', dedupe_token: 'op_pool_default' });
    expect(LOCAL_DEFAULT_AREA_CODE).toBe('415');
    expect(defaulted).toMatchObject({ telephony: 'local', e164: expect.stringMatching(/^\+1415555\d{4}$/) });
    expect(defaulted.provider_number_id).toMatch(/^local_pn_[0-9a-f]{32}$/);

    const chicago = await adapter.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '312', country: 'US', dedupe_token: 'op_pool_312' });
    expect(chicago.e164).toMatch(/^\+1312555\d{4}$/);
  });

  it('returns the number already held by the dedupe token', async () => {
    const first = await adapter.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '212', country: 'US', dedupe_token: 'op_pool_repeat' });
    const second = await adapter.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '212', country: 'US', dedupe_token: 'op_pool_repeat' });
    expect(second).toEqual(first);
  });

  it('gives concurrent acquires with distinct tokens distinct numbers', async () => {
    const numbers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => adapter.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '650', country: 'US', dedupe_token: `op_pool_distinct_${i}` })),
    );
    expect(new Set(numbers.map((n) => n.e164)).size).toBe(25);
    expect(new Set(numbers.map((n) => n.provider_number_id)).size).toBe(25);
  });

  it('gives concurrent acquires with the same token one and the same number', async () => {
    const numbers = await Promise.all(
      Array.from({ length: 10 }, () => adapter.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '718', country: 'US', dedupe_token: 'op_pool_same' })),
    );
    expect(new Set(numbers.map((n) => n.e164)).size).toBe(1);
    expect(await localPhoneNumberModel(db.connection).countDocuments({ dedupe_token: 'op_pool_same' })).toBe(1);
  });

  it('draws again when the drawn number is held, and reports exhaustion instead of reusing a number', async () => {
    const held = await adapter.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '808', country: 'US', dedupe_token: 'op_pool_held' });
    const heldLine = Number(held.e164.slice(-4));
    const freeLine = (heldLine + 1) % 10_000;
    const draws = [heldLine, heldLine, freeLine];
    const colliding = new LocalTelephonyAdapter(localPhoneNumberModel(db.connection), { drawLine: () => draws.shift() ?? freeLine });

    const next = await colliding.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '808', country: 'US', dedupe_token: 'op_pool_collide' });
    expect(next.e164).toBe(`+1808555${String(freeLine).padStart(4, '0')}`);
    expect(draws).toEqual([]);

    const stuck = new LocalTelephonyAdapter(localPhoneNumberModel(db.connection), { drawLine: () => heldLine });
    await expect(stuck.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '808', country: 'US', dedupe_token: 'op_pool_full' })).rejects.toMatchObject({
      telephony: 'local',
      code: 'no_numbers_available',
      retryable: false,
    });
  });

  it('keeps one pool per account: an account holding every draw does not exhaust the area code for another', async () => {
    const line = 4242;
    const onlyLine = () => new LocalTelephonyAdapter(localPhoneNumberModel(db.connection), { drawLine: () => line });
    const mine = await onlyLine().acquireNumber(null, { account_id: 'acct_pool_hog', area_code: '907', country: 'US', dedupe_token: 'op_pool_hog' });
    expect(mine.e164).toBe('+19075554242');
    // The hog's pool has no more of that number…
    await expect(onlyLine().acquireNumber(null, { account_id: 'acct_pool_hog', area_code: '907', country: 'US', dedupe_token: 'op_pool_hog_2' })).rejects.toMatchObject({
      code: 'no_numbers_available',
    });
    // …but another account's pool does, and its retry keeps the number it got (ID from the token).
    const theirs = await onlyLine().acquireNumber(null, { account_id: 'acct_pool_other', area_code: '907', country: 'US', dedupe_token: 'op_pool_other' });
    expect(theirs.e164).toBe('+19075554242');
    expect(theirs.provider_number_id).not.toBe(mine.provider_number_id);
    const retried = await adapter.acquireNumber(null, { account_id: 'acct_pool_other', area_code: '907', country: 'US', dedupe_token: 'op_pool_other' });
    expect(retried).toEqual(theirs);
    // The dedupe token stays unique across accounts.
    expect(await localPhoneNumberModel(db.connection).countDocuments({ dedupe_token: 'op_pool_other' })).toBe(1);
  });

  it('drops the global unique index of databases made before pools were per account', async () => {
    const legacy = await createTestDatabase('localtelephony_legacy');
    try {
      const model = localPhoneNumberModel(legacy.connection);
      await model.createCollection();
      await model.collection.createIndex({ e164: 1 }, { unique: true, name: 'e164_1' });
      const upgraded = new LocalTelephonyAdapter(model, { drawLine: () => 1 });
      const a = await upgraded.acquireNumber(null, { account_id: 'acct_legacy_a', area_code: '303', country: 'US', dedupe_token: 'op_legacy_a' });
      const b = await upgraded.acquireNumber(null, { account_id: 'acct_legacy_b', area_code: '303', country: 'US', dedupe_token: 'op_legacy_b' });
      expect(b.e164).toBe(a.e164);
      expect((await model.collection.indexes()).map((i) => i.name)).not.toContain('e164_1');
    } finally {
      await legacy.drop();
    }
  });

  it('releases idempotently and frees the number and the token', async () => {
    const number = await adapter.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '206', country: 'US', dedupe_token: 'op_pool_release' });
    await adapter.releaseNumber(null, number);
    await expect(adapter.releaseNumber(null, number)).resolves.toBeUndefined();
    expect(await localPhoneNumberModel(db.connection).exists({ e164: number.e164 })).toBeNull();

    const again = await adapter.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '206', country: 'US', dedupe_token: 'op_pool_release' });
    // The token is free again: a fresh number is held for it (the released one's record is gone).
    expect(await localPhoneNumberModel(db.connection).countDocuments({ dedupe_token: 'op_pool_release' })).toBe(1);
    expect(await localPhoneNumberModel(db.connection).exists({ e164: again.e164 })).not.toBeNull();
  });

  it('rejects an invalid area code and numbers from another provider', async () => {
    await expect(adapter.acquireNumber(null, { account_id: 'acct_pool_a', area_code: '055', country: 'US', dedupe_token: 'op_pool_bad' })).rejects.toMatchObject({
      code: 'invalid_request',
      retryable: false,
    });
    await expect(adapter.releaseNumber(null, { telephony: 'twilio', e164: '+14155550100', provider_number_id: 'PN1' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('the registry has one adapter per telephony name', () => {
    const adapters = createTelephonyAdapters({ connection: db.connection });
    expect(Object.keys(adapters).sort()).toEqual([...TELEPHONY_NAMES].sort());
    for (const name of TELEPHONY_NAMES) expect(adapters[name].name).toBe(name);
  });
});
