import { Connection, Model, Schema } from 'mongoose';
import type { Scope } from '../auth/scopes';
import { DocOf, field } from '../db/schema-types';

const serviceAccountFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  name: { type: String, required: true },
  scopes: { type: [field.string<Scope>()], required: true },
  /** SHA-256 of the secret key; the key itself is shown once and never stored. */
  secret_hash: { type: String, required: true },
  /** The first characters of the key, so a person can tell keys apart in a list. */
  secret_hint: { type: String, required: true },
  created_at: { type: Date, required: true },
  revoked_at: { type: Date, default: null },
  last_used_at: { type: Date, default: null },
};

export type ServiceAccountDoc = DocOf<typeof serviceAccountFields>;

const serviceAccountSchema = new Schema<ServiceAccountDoc>(serviceAccountFields, { versionKey: false, collection: 'service_accounts' });
serviceAccountSchema.index({ secret_hash: 1 }, { unique: true });
serviceAccountSchema.index({ account_id: 1, _id: -1 });

export function serviceAccountModel(connection: Connection): Model<ServiceAccountDoc> {
  return connection.models.ServiceAccount ?? connection.model<ServiceAccountDoc>('ServiceAccount', serviceAccountSchema);
}
