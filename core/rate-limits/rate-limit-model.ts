import { Connection, Model, Schema } from 'mongoose';
import type { DocOf } from '../db/schema-types';

/** One counter per credential per fixed window, shared by every API instance. */
const rateLimitFields = {
  _id: { type: String, required: true },
  count: { type: Number, required: true },
  expires_at: { type: Date, required: true },
};

export type RateLimitWindowDoc = DocOf<typeof rateLimitFields>;

const rateLimitSchema = new Schema<RateLimitWindowDoc>(rateLimitFields, { versionKey: false, collection: 'rate_limit_windows' });
rateLimitSchema.index({ expires_at: 1 });

export function rateLimitModel(connection: Connection): Model<RateLimitWindowDoc> {
  return connection.models.RateLimitWindow ?? connection.model<RateLimitWindowDoc>('RateLimitWindow', rateLimitSchema);
}
