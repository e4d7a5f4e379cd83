import { Connection, Model, Schema } from 'mongoose';

/** One counter per credential per fixed window, shared by every API instance. */
export interface RateLimitWindowDoc {
  _id: string;
  count: number;
  expires_at: Date;
}

const rateLimitSchema = new Schema<RateLimitWindowDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expires_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'rate_limit_windows' },
);
rateLimitSchema.index({ expires_at: 1 });

export function rateLimitModel(connection: Connection): Model<RateLimitWindowDoc> {
  return connection.models.RateLimitWindow ?? connection.model<RateLimitWindowDoc>('RateLimitWindow', rateLimitSchema);
}
