import { Connection, Model, Schema } from 'mongoose';

export interface AccountDoc {
  _id: string;
  name: string;
  credit_balance_cents: number;
  currency: 'usd';
  created_at: Date;
}

const accountSchema = new Schema<AccountDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    credit_balance_cents: { type: Number, required: true },
    currency: { type: String, required: true, default: 'usd' },
    created_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'accounts' },
);

export function accountModel(connection: Connection): Model<AccountDoc> {
  return connection.models.Account ?? connection.model<AccountDoc>('Account', accountSchema);
}
