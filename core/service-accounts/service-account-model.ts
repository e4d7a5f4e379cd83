import { Connection, Model, Schema } from 'mongoose';
import type { Scope } from '../auth/scopes';

export interface ServiceAccountDoc {
  _id: string;
  account_id: string;
  name: string;
  scopes: Scope[];
  /** SHA-256 of the secret key; the key itself is shown once and never stored. */
  secret_hash: string;
  /** The first characters of the key, so a person can tell keys apart in a list. */
  secret_hint: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const serviceAccountSchema = new Schema<ServiceAccountDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    name: { type: String, required: true },
    scopes: { type: [String], required: true },
    secret_hash: { type: String, required: true },
    secret_hint: { type: String, required: true },
    created_at: { type: Date, required: true },
    revoked_at: { type: Date, default: null },
    last_used_at: { type: Date, default: null },
  },
  { versionKey: false, collection: 'service_accounts' },
);
serviceAccountSchema.index({ secret_hash: 1 }, { unique: true });
serviceAccountSchema.index({ account_id: 1, _id: -1 });

export function serviceAccountModel(connection: Connection): Model<ServiceAccountDoc> {
  return connection.models.ServiceAccount ?? connection.model<ServiceAccountDoc>('ServiceAccount', serviceAccountSchema);
}
