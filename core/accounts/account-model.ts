import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';

const accountFields = {
  _id: { type: String, required: true },
  name: { type: String, required: true },
  credit_balance_cents: { type: Number, required: true },
  currency: { type: field.string<'usd'>(), required: true, default: 'usd' as const },
  created_at: { type: Date, required: true },
};

export type AccountDoc = DocOf<typeof accountFields>;

const accountSchema = new Schema<AccountDoc>(accountFields, { versionKey: false, collection: 'accounts' });

export function accountModel(connection: Connection): Model<AccountDoc> {
  return connection.models.Account ?? connection.model<AccountDoc>('Account', accountSchema);
}
