import { Connection, Model, Schema } from 'mongoose';

/** The HMAC key behind access tokens, shared by every API instance through the database. */
export interface SigningKeyDoc {
  _id: string;
  key: string;
  created_at: Date;
}

const signingKeySchema = new Schema<SigningKeyDoc>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    created_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'signing_keys' },
);

export function signingKeyModel(connection: Connection): Model<SigningKeyDoc> {
  return connection.models.SigningKey ?? connection.model<SigningKeyDoc>('SigningKey', signingKeySchema);
}
