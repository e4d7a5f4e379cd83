import { Connection, Model, Schema } from 'mongoose';
import type { RetentionProgressDoc } from './retention';

const progressSchema = new Schema<RetentionProgressDoc>(
  { _id: { type: String, required: true }, next_day: { type: String, required: true }, updated_at: { type: Date, required: true } },
  { versionKey: false, collection: 'retention_progress' },
);

export function retentionProgressModel(connection: Connection): Model<RetentionProgressDoc> {
  return connection.models.RetentionProgress ?? connection.model<RetentionProgressDoc>('RetentionProgress', progressSchema);
}
