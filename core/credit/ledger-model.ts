import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';

/**
 * The prepaid credit ledger: immutable entries, never updated or deleted. Amounts are integer
 * micro-dollars (1 USD = 1,000,000), so a per-minute rate such as $0.165 never leaves fractions
 * of a cent to round.
 *
 * - `grant`: credit added (signup, operator top-up); positive.
 * - `adjustment`: a correction, signed.
 * - `hold`: credit reserved for an outbound call before it dials; positive.
 * - `capture`: credit charged. Of a hold (`hold_id` set): the part it consumes of the reserve,
 *   or with `beyond_hold` the part of a call that outlasted its hold; without a hold: an inbound call.
 * - `release`: the unused rest of a hold given back (`hold_id` set); positive.
 *
 * The `_id` is derived from the account, the kind and the entry's idempotency key, so the same
 * write retried (a retried activity) is one insert on a unique `_id` that the second time finds
 * the first entry. `day` + `created_at` are the time-ordered part: the balance reads what came
 * after its newest snapshot by `(account_id, day)` equality (pushed down by FerretDB), then by
 * `created_at` within the day.
 */
export const LEDGER_KINDS = ['grant', 'hold', 'capture', 'release', 'adjustment'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

const ledgerFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  kind: { type: field.string<LedgerKind>(), required: true },
  /** Micro-dollars; positive except for adjustments, which are signed. */
  amount_micros: { type: Number, required: true },
  idempotency_key: { type: String, required: true },
  /** The hold entry's `_id`, on captures and releases of a hold. */
  hold_id: { type: String, default: null },
  /** On captures of a hold: this part was charged beyond what was held (it consumes no reserve). */
  beyond_hold: { type: Boolean, required: true, default: false },
  call_id: { type: String, default: null },
  agent_id: { type: String, default: null },
  /** Billable minutes (captures: the call's, once per call; holds: what was reserved). */
  minutes: { type: Number, default: null },
  note: { type: String, default: null },
  created_at: { type: Date, required: true },
  /** UTC day of `created_at` (YYYY-MM-DD): ranges are read one day at a time by equality. */
  day: { type: String, required: true },
};

export type LedgerEntryDoc = DocOf<typeof ledgerFields>;

const ledgerSchema = new Schema<LedgerEntryDoc>(ledgerFields, { versionKey: false, collection: 'credit_ledger', minimize: false });
ledgerSchema.index({ account_id: 1, day: 1, created_at: 1 });
ledgerSchema.index({ account_id: 1, kind: 1 });

export function ledgerModel(connection: Connection): Model<LedgerEntryDoc> {
  return connection.models.CreditLedgerEntry ?? connection.model<LedgerEntryDoc>('CreditLedgerEntry', ledgerSchema);
}

/** What the ledger folds to: sums through a cutoff. */
export interface LedgerTotals {
  /** Grants and adjustments. */
  credited_micros: number;
  /** Every capture. */
  charged_micros: number;
  /** Holds, less what captures consumed of them and what releases gave back. */
  reserved_micros: number;
  /** The newest grant folded (credit.low measures against it). */
  last_grant: { entry_id: string; amount_micros: number; created_at: Date } | null;
  entries: number;
}

/**
 * A balance snapshot: the totals of every entry with `created_at <= cutoff`, written as a new
 * document (never updated), `_id` derived from account and cutoff. The cutoff lags the clock by a
 * safety margin so that entries still being written when it was taken are later than it.
 */
const snapshotFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  /** UTC day of the cutoff: the newest snapshot is found by `(account_id, day)` equality. */
  day: { type: String, required: true },
  cutoff: { type: Date, required: true },
  totals: { type: field.mixed<LedgerTotals>(), required: true },
  created_at: { type: Date, required: true },
};

export type CreditSnapshotDoc = DocOf<typeof snapshotFields>;

const snapshotSchema = new Schema<CreditSnapshotDoc>(snapshotFields, { versionKey: false, collection: 'credit_snapshots', minimize: false });
snapshotSchema.index({ account_id: 1, day: 1, cutoff: 1 });

export function creditSnapshotModel(connection: Connection): Model<CreditSnapshotDoc> {
  return connection.models.CreditSnapshot ?? connection.model<CreditSnapshotDoc>('CreditSnapshot', snapshotSchema);
}
