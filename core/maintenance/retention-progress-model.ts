import { Connection, Model, Schema } from 'mongoose';
import type { DocOf } from '../db/schema-types';

/** How far each retention rule has swept (core/maintenance/retention.ts). */
const progressFields = {
  _id: { type: String, required: true },
  /** The oldest day not yet swept. */
  next_day: { type: String, required: true },
  updated_at: { type: Date, required: true },
};

export type RetentionProgressDoc = DocOf<typeof progressFields>;

const progressSchema = new Schema<RetentionProgressDoc>(progressFields, { versionKey: false, collection: 'retention_progress' });

export function retentionProgressModel(connection: Connection): Model<RetentionProgressDoc> {
  return connection.models.RetentionProgress ?? connection.model<RetentionProgressDoc>('RetentionProgress', progressSchema);
}
