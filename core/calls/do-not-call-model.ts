import { Connection, Model, Schema } from 'mongoose';
import { DocOf } from '../db/schema-types';

/**
 * One number an account must never call. The `_id` is derived from the account and the E.164
 * number, so a number is listed once however often it is PUT, and the check before a call is a
 * primary-key read (FerretDB answers `_id` lookups from its index, other filters by a scan).
 */
const doNotCallFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  number: { type: String, required: true },
  reason: { type: String, default: null },
  created_at: { type: Date, required: true },
};
export type DoNotCallDoc = DocOf<typeof doNotCallFields>;

const doNotCallSchema = new Schema<DoNotCallDoc>(doNotCallFields, { versionKey: false, collection: 'do_not_call', minimize: false });
doNotCallSchema.index({ account_id: 1, _id: -1 });

export function doNotCallModel(connection: Connection): Model<DoNotCallDoc> {
  return (connection.models.DoNotCall as Model<DoNotCallDoc>) ?? connection.model<DoNotCallDoc>('DoNotCall', doNotCallSchema);
}
