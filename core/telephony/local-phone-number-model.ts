import { Connection, Model, Schema } from 'mongoose';
import type { DocOf } from '../db/schema-types';

/** A number held from the local simulator's fictional pool (one per account). Released numbers are deleted, freeing both keys. */
const localPhoneNumberFields = {
  /** The simulator's number ID, returned as provider_number_id. */
  _id: { type: String, required: true },
  /**
   * The account holding the number. Each account has its own pool: (account_id, e164) is unique,
   * so one account cannot exhaust an area code for the others. Absent on numbers held before pools
   * were per account.
   */
  account_id: { type: String },
  /** Unique within an account: two of its agents can never get the same number. */
  e164: { type: String, required: true },
  area_code: { type: String, required: true },
  /** Unique: a retried acquire gets the number the first attempt took. */
  dedupe_token: { type: String, required: true },
  acquired_at: { type: Date, required: true },
};

export type LocalPhoneNumberDoc = DocOf<typeof localPhoneNumberFields>;

const localPhoneNumberSchema = new Schema<LocalPhoneNumberDoc>(localPhoneNumberFields, { versionKey: false, collection: 'local_phone_numbers' });
localPhoneNumberSchema.index({ account_id: 1, e164: 1 }, { unique: true });
localPhoneNumberSchema.index({ dedupe_token: 1 }, { unique: true });

export function localPhoneNumberModel(connection: Connection): Model<LocalPhoneNumberDoc> {
  return connection.models.LocalPhoneNumber ?? connection.model<LocalPhoneNumberDoc>('LocalPhoneNumber', localPhoneNumberSchema);
}

/** The index that made the pool global (one e164 for all accounts); dropped where it still exists. */
export const LEGACY_GLOBAL_NUMBER_INDEX = 'e164_1';
