import { Connection, Model, Schema } from 'mongoose';
import type { DocOf } from '../db/schema-types';

/** The HMAC key behind access tokens, shared by every API instance through the database. */
const signingKeyFields = {
  _id: { type: String, required: true },
  key: { type: String, required: true },
  created_at: { type: Date, required: true },
};

export type SigningKeyDoc = DocOf<typeof signingKeyFields>;

const signingKeySchema = new Schema<SigningKeyDoc>(signingKeyFields, { versionKey: false, collection: 'signing_keys' });

export function signingKeyModel(connection: Connection): Model<SigningKeyDoc> {
  return connection.models.SigningKey ?? connection.model<SigningKeyDoc>('SigningKey', signingKeySchema);
}
