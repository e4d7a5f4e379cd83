import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';

export interface StoredResponse {
  status: number;
  /** Plain on the way in and out of the service; stored sealed (responses can carry secrets shown once). */
  body: string;
  content_type: string | null;
  headers: Record<string, string>;
}

const idempotencyFields = {
  /** `<account_id>:<key>`: the unique _id is what lets exactly one of two racing requests claim a key. */
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  key: { type: String, required: true },
  fingerprint: { type: String, required: true },
  state: { type: field.string<'in_progress' | 'completed'>(), required: true },
  /** A claim older than this is from a process that died mid-request; the next request may take it over. */
  locked_until: { type: Date, required: true },
  response: { type: field.mixed<StoredResponse>(), default: null },
  created_at: { type: Date, required: true },
  /** Swept periodically: FerretDB has no TTL indexes. */
  expires_at: { type: Date, required: true },
};

export type IdempotencyRecordDoc = DocOf<typeof idempotencyFields>;

const idempotencySchema = new Schema<IdempotencyRecordDoc>(idempotencyFields, { versionKey: false, collection: 'idempotency_keys' });
idempotencySchema.index({ expires_at: 1 });

export function idempotencyModel(connection: Connection): Model<IdempotencyRecordDoc> {
  return connection.models.IdempotencyRecord ?? connection.model<IdempotencyRecordDoc>('IdempotencyRecord', idempotencySchema);
}
