import { Connection, Model, Schema } from 'mongoose';

export interface StoredResponse {
  status: number;
  /** Plain on the way in and out of the service; stored sealed (responses can carry secrets shown once). */
  body: string;
  content_type: string | null;
  headers: Record<string, string>;
}

export interface IdempotencyRecordDoc {
  /** `<account_id>:<key>`: the unique _id is what lets exactly one of two racing requests claim a key. */
  _id: string;
  account_id: string;
  key: string;
  fingerprint: string;
  state: 'in_progress' | 'completed';
  /** A claim older than this is from a process that died mid-request; the next request may take it over. */
  locked_until: Date;
  response: StoredResponse | null;
  created_at: Date;
  /** Swept periodically: FerretDB has no TTL indexes. */
  expires_at: Date;
}

const idempotencySchema = new Schema<IdempotencyRecordDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    key: { type: String, required: true },
    fingerprint: { type: String, required: true },
    state: { type: String, required: true },
    locked_until: { type: Date, required: true },
    response: { type: Schema.Types.Mixed, default: null },
    created_at: { type: Date, required: true },
    expires_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'idempotency_keys' },
);
idempotencySchema.index({ expires_at: 1 });

export function idempotencyModel(connection: Connection): Model<IdempotencyRecordDoc> {
  return connection.models.IdempotencyRecord ?? connection.model<IdempotencyRecordDoc>('IdempotencyRecord', idempotencySchema);
}
