import { Model } from 'mongoose';
import { insertOnce } from '../db/database';
import { derivedId } from '../db/derived-id';
import { ApiError, NotFoundError, ValidationError } from '../errors/errors';
import type { EventLog } from '../events/event-log';
import { CreditSnapshotDoc, LedgerEntryDoc, LedgerKind, LedgerTotals } from './ledger-model';

/**
 * Prepaid credit: a ledger of immutable entries (ledger-model.ts) and a balance derived from it.
 *
 * Why no running total: FerretDB 1.24 has no transactions, and it applies `$inc`/`$set` as a read
 * then a write of the whole document, so concurrent updates of one balance document can lose
 * writes (two captures, one charge). Entries are inserts on a unique `_id` derived from the
 * account, the kind and an idempotency key: a retried write is a no-op that returns the first
 * entry, and concurrent writes of different entries all land.
 *
 * How the balance is cached: immutable snapshot documents hold the totals folded through a cutoff
 * that lags the clock by `snapshotMarginMs` (60 s). A balance read takes the account's newest
 * snapshot (by `(account_id, day)` equality, today's first, looking back `lookbackDays`) and adds
 * the entries after its cutoff (by `(account_id, day)` equality for each day since, then the
 * `created_at` range), so it costs what happened since the snapshot, not the ledger's size. When
 * more than `snapshotEvery` settled entries (older than the margin) follow the snapshot, or the
 * snapshot is from an earlier day, the read inserts a new snapshot (never updates one; two
 * readers racing write two valid snapshots). Without any snapshot in the lookback (a new or long
 * idle account) the read folds all the account's entries once and snapshots them.
 *
 * Limits, accepted:
 * - a snapshot is only right if no entry with `created_at <= cutoff` is inserted after it was
 *   taken: a writer whose clock is behind by more than the margin, or that stalls longer than it
 *   between taking `created_at` and inserting, is left out of every later snapshot;
 * - `hold` checks the balance, then inserts: concurrent holds of one account can overshoot the
 *   balance by as much as races (like the count-then-create quotas). Captures are never refused:
 *   a call that happened is charged, so the balance can go below zero;
 * - `capture` and `release` of the *same* hold must not race (the call workflow runs them in
 *   turn); a capture after a release charges the whole call beyond the hold.
 */

export const MICROS_PER_USD = 1_000_000;
/** What every new account is granted (idempotency key `signup`): $50.00. */
export const SIGNUP_GRANT_MICROS = 50 * MICROS_PER_USD;
/** credit.low fires once per grant for each of these percentages of it. */
export const LOW_CREDIT_PERCENTS = [20, 5] as const;

export interface CreditSettings {
  ratePerMinuteMicros: number;
  outboundHoldMinutes: number;
  /** How far a snapshot's cutoff lags the clock. */
  snapshotMarginMs?: number;
  /** Settled entries after the newest snapshot that make a read write a new one. */
  snapshotEvery?: number;
  /** How many days back a read looks for a snapshot before it folds the whole ledger. */
  lookbackDays?: number;
  /** Tests move time. */
  clock?: () => Date;
}

export interface BalanceView {
  object: 'balance';
  available_usd: number;
  reserved_usd: number;
  minutes_remaining: number;
  rate_per_minute_usd: number;
}

export interface Balance {
  availableMicros: number;
  reservedMicros: number;
  lastGrant: LedgerTotals['last_grant'];
}

export interface UsageRow {
  calls: number;
  minutes: number;
  usd: number;
}

export interface UsageView {
  object: 'usage';
  from: string;
  to: string;
  currency: 'usd';
  totals: UsageRow;
  /** Days with usage, oldest first, each split by agent. */
  days: (UsageRow & { date: string; agents: (UsageRow & { agent_id: string | null })[] })[];
  agents: (UsageRow & { agent_id: string | null })[];
}

export interface CallRef {
  callId?: string | null;
  agentId?: string | null;
}

export interface CaptureResult {
  hold_id: string;
  captured_micros: number;
  released_micros: number;
  beyond_hold_micros: number;
}

export type LedgerEntry = LedgerEntryDoc;

const DAY_MS = 24 * 3600 * 1000;
export const MAX_USAGE_DAYS = 92;

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Billable minutes: the duration rounded up to whole minutes (0 s is 0). */
export function billableMinutes(durationSeconds: number): number {
  return durationSeconds > 0 ? Math.ceil(durationSeconds / 60) : 0;
}

export function toUsd(micros: number): number {
  return Math.round(micros) / MICROS_PER_USD;
}

export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

export function emptyTotals(): LedgerTotals {
  return { credited_micros: 0, charged_micros: 0, reserved_micros: 0, last_grant: null, entries: 0 };
}

/** Adds entries to totals (order does not matter). */
export function foldEntries(base: LedgerTotals, entries: readonly LedgerEntryDoc[]): LedgerTotals {
  const t: LedgerTotals = { ...base, last_grant: base.last_grant ? { ...base.last_grant } : null };
  for (const e of entries) {
    t.entries++;
    switch (e.kind) {
      case 'grant':
        t.credited_micros += e.amount_micros;
        if (!t.last_grant || newer(e, t.last_grant)) t.last_grant = { entry_id: e._id, amount_micros: e.amount_micros, created_at: e.created_at };
        break;
      case 'adjustment':
        t.credited_micros += e.amount_micros;
        break;
      case 'hold':
        t.reserved_micros += e.amount_micros;
        break;
      case 'capture':
        t.charged_micros += e.amount_micros;
        if (e.hold_id && !e.beyond_hold) t.reserved_micros -= e.amount_micros;
        break;
      case 'release':
        t.reserved_micros -= e.amount_micros;
        break;
    }
  }
  return t;
}

function newer(e: LedgerEntryDoc, g: NonNullable<LedgerTotals['last_grant']>): boolean {
  const a = e.created_at.getTime();
  const b = new Date(g.created_at).getTime();
  return a > b || (a === b && e._id > g.entry_id);
}

export function availableOf(t: LedgerTotals): number {
  return t.credited_micros - t.charged_micros - t.reserved_micros;
}

export class CreditService {
  private readonly marginMs: number;
  private readonly snapshotEvery: number;
  private readonly lookbackDays: number;
  private readonly clock: () => Date;
  /** credit.low dedupe keys this process already wrote (the log dedupes anyway; this saves the round trips). */
  private readonly lowFired = new Set<string>();

  constructor(
    private readonly ledger: Model<LedgerEntryDoc>,
    private readonly snapshots: Model<CreditSnapshotDoc>,
    private readonly events: EventLog,
    private readonly settings: CreditSettings,
  ) {
    this.marginMs = settings.snapshotMarginMs ?? 60_000;
    this.snapshotEvery = settings.snapshotEvery ?? 100;
    this.lookbackDays = settings.lookbackDays ?? 35;
    this.clock = settings.clock ?? (() => new Date());
  }

  get ratePerMinuteMicros(): number {
    return this.settings.ratePerMinuteMicros;
  }

  /** The price of a call of this length: billable minutes × the rate. */
  priceMicros(durationSeconds: number): number {
    return billableMinutes(durationSeconds) * this.settings.ratePerMinuteMicros;
  }

  /** What an outbound call reserves before it dials (WFW_OUTBOUND_HOLD_MINUTES × the rate). */
  holdMicros(): number {
    return this.settings.outboundHoldMinutes * this.settings.ratePerMinuteMicros;
  }

  entryId(accountId: string, kind: LedgerKind, key: string): string {
    return derivedId('cle_', accountId, kind, key);
  }

  /** Adds credit. The same key again is the first grant (whatever amount it names). */
  async grant(accountId: string, amount: { usd: number } | { micros: number }, key: string, note: string | null = null): Promise<LedgerEntry> {
    const micros = 'micros' in amount ? Math.round(amount.micros) : usdToMicros(amount.usd);
    if (!Number.isSafeInteger(micros) || micros <= 0) throw new ValidationError([{ field: 'amount', issue: 'not_positive', message: 'a grant must be a positive amount' }]);
    return this.write(accountId, 'grant', key, micros, { note });
  }

  /** A signed correction by an operator. */
  async adjust(accountId: string, micros: number, key: string, note: string | null = null): Promise<LedgerEntry> {
    const entry = await this.write(accountId, 'adjustment', key, Math.round(micros), { note });
    if (micros < 0) await this.checkLow(accountId);
    return entry;
  }

  /**
   * Reserves `micros` for a call, or refuses with 402 INSUFFICIENT_CREDIT when the available
   * balance is below it. The same key again returns the first hold (and is never refused).
   */
  async hold(accountId: string, key: string, micros: number, ref: CallRef = {}): Promise<LedgerEntry> {
    const amount = Math.round(micros);
    const existing = await this.ledger.findById(this.entryId(accountId, 'hold', key)).lean<LedgerEntryDoc>();
    if (existing) return existing;
    const balance = await this.balanceMicros(accountId);
    if (balance.availableMicros < amount) {
      throw new ApiError('INSUFFICIENT_CREDIT', `The available credit ($${toUsd(balance.availableMicros).toFixed(2)}) cannot cover the $${toUsd(amount).toFixed(2)} this needs reserved.`, {
        details: [{ issue: 'insufficient_credit', message: 'available credit is below the amount to reserve', available_usd: toUsd(balance.availableMicros), required_usd: toUsd(amount) }],
      });
    }
    const entry = await this.write(accountId, 'hold', key, amount, { ...ref, minutes: Math.floor(amount / this.settings.ratePerMinuteMicros) });
    await this.checkLow(accountId);
    return entry;
  }

  /**
   * Charges a held call at its real price: min(actual, held) from the hold, the rest of the hold
   * released, and whatever the call cost beyond the hold charged as a capture beyond it. Each of
   * the (up to) three entries is idempotent, so a replayed capture charges once.
   */
  async capture(accountId: string, holdKey: string, actualMicros: number, options: CallRef & { minutes?: number | null } = {}): Promise<CaptureResult> {
    const actual = Math.max(0, Math.round(actualMicros));
    const hold = await this.ledger.findById(this.entryId(accountId, 'hold', holdKey)).lean<LedgerEntryDoc>();
    if (!hold) throw new NotFoundError('credit hold', holdKey);
    const ref = { callId: options.callId ?? hold.call_id, agentId: options.agentId ?? hold.agent_id, holdId: hold._id };
    let captured = await this.ledger.findById(this.entryId(accountId, 'capture', `capture:${holdKey}`)).lean<LedgerEntryDoc>();
    if (!captured) {
      // A hold released before its capture reserves nothing any more: charge the whole call beyond it.
      const released = await this.ledger.findById(this.entryId(accountId, 'release', `release:${holdKey}`)).lean<LedgerEntryDoc>();
      const fromHold = released ? 0 : Math.min(actual, hold.amount_micros);
      captured = await this.write(accountId, 'capture', `capture:${holdKey}`, released ? actual : fromHold, { ...ref, minutes: options.minutes ?? null, beyondHold: !!released });
    }
    let releasedMicros = 0;
    let beyond = 0;
    if (!captured.beyond_hold) {
      const rest = hold.amount_micros - captured.amount_micros;
      if (rest > 0) releasedMicros = (await this.write(accountId, 'release', `release:${holdKey}`, rest, ref)).amount_micros;
      if (actual > hold.amount_micros) beyond = (await this.write(accountId, 'capture', `beyond:${holdKey}`, actual - hold.amount_micros, { ...ref, beyondHold: true })).amount_micros;
    }
    await this.checkLow(accountId);
    return { hold_id: hold._id, captured_micros: captured.amount_micros + beyond, released_micros: releasedMicros, beyond_hold_micros: captured.beyond_hold ? captured.amount_micros : beyond };
  }

  /** Charges a call that held nothing (inbound), once per key. */
  async captureWithoutHold(accountId: string, key: string, micros: number, options: CallRef & { minutes?: number | null } = {}): Promise<LedgerEntry> {
    const entry = await this.write(accountId, 'capture', key, Math.max(0, Math.round(micros)), { callId: options.callId, agentId: options.agentId, minutes: options.minutes ?? null });
    await this.checkLow(accountId);
    return entry;
  }

  /** Gives a hold back whole (the call never happened). After a capture it does nothing: the capture released the rest. */
  async release(accountId: string, holdKey: string): Promise<{ hold_id: string; released_micros: number }> {
    const hold = await this.ledger.findById(this.entryId(accountId, 'hold', holdKey)).lean<LedgerEntryDoc>();
    if (!hold) throw new NotFoundError('credit hold', holdKey);
    const captured = await this.ledger.findById(this.entryId(accountId, 'capture', `capture:${holdKey}`)).lean<LedgerEntryDoc>();
    if (captured) return { hold_id: hold._id, released_micros: 0 };
    const entry = await this.write(accountId, 'release', `release:${holdKey}`, hold.amount_micros, { callId: hold.call_id, agentId: hold.agent_id, holdId: hold._id });
    return { hold_id: hold._id, released_micros: entry.amount_micros };
  }

  async balance(accountId: string): Promise<BalanceView> {
    const b = await this.balanceMicros(accountId);
    const rate = this.settings.ratePerMinuteMicros;
    return {
      object: 'balance',
      available_usd: toUsd(b.availableMicros),
      reserved_usd: toUsd(b.reservedMicros),
      minutes_remaining: Math.max(0, Math.floor(b.availableMicros / rate)),
      rate_per_minute_usd: toUsd(rate),
    };
  }

  async balanceMicros(accountId: string): Promise<Balance> {
    const t = await this.totals(accountId);
    return { availableMicros: availableOf(t), reservedMicros: t.reserved_micros, lastGrant: t.last_grant };
  }

  /** The ledger's totals now: newest snapshot + the entries after its cutoff (see the top of this file). */
  async totals(accountId: string): Promise<LedgerTotals> {
    const now = this.clock();
    const cutoff = new Date(now.getTime() - this.marginMs);
    const snapshot = await this.newestSnapshot(accountId, cutoff);
    const base = snapshot ? snapshot.totals : emptyTotals();
    const after = snapshot ? await this.entriesAfter(accountId, snapshot.cutoff, now) : await this.ledger.find({ account_id: accountId }).lean<LedgerEntryDoc[]>();
    const settled = after.filter((e) => e.created_at.getTime() <= cutoff.getTime());
    const stale = !snapshot || settled.length >= this.snapshotEvery || snapshot.day !== utcDay(cutoff);
    if (stale && (!snapshot || cutoff.getTime() > snapshot.cutoff.getTime())) await this.writeSnapshot(accountId, cutoff, foldEntries(base, settled));
    return foldEntries(base, after);
  }

  /** Folds every entry of the account, snapshots aside (tests, audits). */
  async foldAll(accountId: string): Promise<LedgerTotals> {
    return foldEntries(emptyTotals(), await this.ledger.find({ account_id: accountId }).lean<LedgerEntryDoc[]>());
  }

  /** Takes a snapshot now, whatever the thresholds (tests, operators). */
  async snapshot(accountId: string): Promise<CreditSnapshotDoc> {
    const cutoff = new Date(this.clock().getTime() - this.marginMs);
    const snapshot = await this.newestSnapshot(accountId, cutoff);
    const base = snapshot ? snapshot.totals : emptyTotals();
    const after = snapshot ? await this.entriesAfter(accountId, snapshot.cutoff, cutoff) : await this.ledger.find({ account_id: accountId }).lean<LedgerEntryDoc[]>();
    return this.writeSnapshot(accountId, cutoff, foldEntries(base, after.filter((e) => e.created_at.getTime() <= cutoff.getTime())));
  }

  /**
   * Per day (UTC) and per agent, from the capture entries: calls (each held or inbound call once),
   * billable minutes and USD charged. Days without usage are left out. `from`/`to` are inclusive
   * dates (YYYY-MM-DD).
   */
  async usage(accountId: string, range: { from?: string; to?: string } = {}): Promise<UsageView> {
    const to = range.to ?? utcDay(this.clock());
    const from = range.from ?? utcDay(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS));
    const days = daysBetween(from, to);
    if (days.length === 0) throw new ValidationError([{ field: 'from', location: 'query', issue: 'after_to', message: 'from must not be after to' }]);
    if (days.length > MAX_USAGE_DAYS) throw new ValidationError([{ field: 'from', location: 'query', issue: 'range_too_long', message: `at most ${MAX_USAGE_DAYS} days at a time` }]);
    const perDay = await mapLimit(days, 8, (day) => this.ledger.find({ account_id: accountId, day, kind: 'capture' }).lean<LedgerEntryDoc[]>());
    const totals = { calls: 0, minutes: 0, micros: 0 };
    const byAgent = new Map<string | null, { calls: number; minutes: number; micros: number }>();
    const out: UsageView['days'] = [];
    days.forEach((date, i) => {
      const entries = perDay[i];
      if (entries.length === 0) return;
      const dayAgents = new Map<string | null, { calls: number; minutes: number; micros: number }>();
      for (const e of entries) {
        for (const acc of [totals, bucket(byAgent, e.agent_id), bucket(dayAgents, e.agent_id)]) {
          // The call's own capture carries its minutes; a capture beyond its hold adds money only.
          if (e.minutes !== null) {
            acc.calls++;
            acc.minutes += e.minutes;
          }
          acc.micros += e.amount_micros;
        }
      }
      const day = { calls: 0, minutes: 0, micros: 0 };
      for (const r of dayAgents.values()) {
        day.calls += r.calls;
        day.minutes += r.minutes;
        day.micros += r.micros;
      }
      out.push({ date, ...row(day), agents: [...dayAgents].map(([agent_id, r]) => ({ agent_id, ...row(r) })) });
    });
    return { object: 'usage', from, to, currency: 'usd', totals: row(totals), days: out, agents: [...byAgent].map(([agent_id, r]) => ({ agent_id, ...row(r) })) };
  }

  /** One entry, once: the same (account, kind, key) again returns the entry first written. */
  private async write(
    accountId: string,
    kind: LedgerKind,
    key: string,
    micros: number,
    extra: { callId?: string | null; agentId?: string | null; holdId?: string | null; minutes?: number | null; note?: string | null; beyondHold?: boolean },
  ): Promise<LedgerEntry> {
    if (!key) throw new Error('a ledger entry needs an idempotency key');
    const now = this.clock();
    return insertOnce(this.ledger, {
      _id: this.entryId(accountId, kind, key),
      account_id: accountId,
      kind,
      amount_micros: micros,
      idempotency_key: key,
      hold_id: extra.holdId ?? null,
      beyond_hold: extra.beyondHold ?? false,
      call_id: extra.callId ?? null,
      agent_id: extra.agentId ?? null,
      minutes: extra.minutes ?? null,
      note: extra.note ?? null,
      created_at: now,
      day: utcDay(now),
    });
  }

  /** credit.low, once per grant and threshold: whenever the available balance is below 20 % / 5 % of the last grant. */
  private async checkLow(accountId: string): Promise<void> {
    const b = await this.balanceMicros(accountId);
    const grant = b.lastGrant;
    if (!grant) return;
    for (const percent of LOW_CREDIT_PERCENTS) {
      const threshold = Math.floor((grant.amount_micros * percent) / 100);
      if (b.availableMicros >= threshold) continue;
      const dedupeKey = `credit.low:${grant.entry_id}:${percent}`;
      if (this.lowFired.has(`${accountId}:${dedupeKey}`)) continue;
      await this.events.append(accountId, 'credit.low', { account_id: accountId, available_usd: toUsd(b.availableMicros), threshold_usd: toUsd(threshold), threshold_percent: percent }, { dedupeKey });
      if (this.lowFired.size > 10_000) this.lowFired.clear();
      this.lowFired.add(`${accountId}:${dedupeKey}`);
    }
  }

  private async newestSnapshot(accountId: string, cutoff: Date): Promise<CreditSnapshotDoc | null> {
    for (let back = 0; back <= this.lookbackDays; back++) {
      // None today: a new account has none at all (one equality read), so it need not look back.
      if (back === 1 && !(await this.snapshots.exists({ account_id: accountId }))) return null;
      const day = utcDay(new Date(cutoff.getTime() - back * DAY_MS));
      const found = await this.snapshots.find({ account_id: accountId, day }).sort({ cutoff: -1 }).limit(1).lean<CreditSnapshotDoc[]>();
      if (found[0]) return found[0];
    }
    return null;
  }

  /** Entries with created_at > since, one day at a time by equality, through the day after `until` (a writer's clock may run ahead). */
  private async entriesAfter(accountId: string, since: Date, until: Date): Promise<LedgerEntryDoc[]> {
    const days = daysBetween(utcDay(since), utcDay(new Date(until.getTime() + this.marginMs)));
    const perDay = await mapLimit(days, 4, (day) => this.ledger.find({ account_id: accountId, day, created_at: { $gt: since } }).lean<LedgerEntryDoc[]>());
    return perDay.flat();
  }

  private async writeSnapshot(accountId: string, cutoff: Date, totals: LedgerTotals): Promise<CreditSnapshotDoc> {
    return insertOnce(this.snapshots, {
      _id: derivedId('csn_', accountId, String(cutoff.getTime())),
      account_id: accountId,
      day: utcDay(cutoff),
      cutoff,
      totals,
      created_at: this.clock(),
    });
  }
}

function bucket<K>(map: Map<K, { calls: number; minutes: number; micros: number }>, key: K) {
  let r = map.get(key);
  if (!r) map.set(key, (r = { calls: 0, minutes: 0, micros: 0 }));
  return r;
}

function row(r: { calls: number; minutes: number; micros: number }): UsageRow {
  return { calls: r.calls, minutes: r.minutes, usd: toUsd(r.micros) };
}

/** Inclusive list of UTC dates from `from` to `to` (empty when from > to). */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const out: string[] = [];
  for (let t = start; t <= end && out.length <= MAX_USAGE_DAYS * 4; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}
