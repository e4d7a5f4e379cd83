import { Connection, Model, Schema } from 'mongoose';
import { absentOnOlder, DocOf, field } from '../db/schema-types';

/** What an account chooses about how its data is kept (PATCH /v2/account). */
export interface AccountSettings {
  /** Card, bank account and social security numbers masked in stored transcripts, extractions and events. */
  mask_sensitive_data: boolean;
}
export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = { mask_sensitive_data: true };

const accountFields = {
  _id: { type: String, required: true },
  name: { type: String, required: true },
  /**
   * Legacy: written by versions before the credit ledger (core/credit/), never read now (the balance
   * is derived from the ledger); kept optional so those documents still validate.
   */
  credit_balance_cents: { type: Number },
  currency: { type: field.string<'usd'>(), required: true, default: 'usd' as const },
  created_at: { type: Date, required: true },
  settings: absentOnOlder({ type: field.mixed<Partial<AccountSettings>>(), default: {} }),
};

export type AccountDoc = DocOf<typeof accountFields>;

const accountSchema = new Schema<AccountDoc>(accountFields, { versionKey: false, collection: 'accounts', minimize: false });

export function accountModel(connection: Connection): Model<AccountDoc> {
  return connection.models.Account ?? connection.model<AccountDoc>('Account', accountSchema);
}
