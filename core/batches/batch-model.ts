import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';

export interface BatchItemRejection {
  index: number;
  error: { code: string; message: string; details: unknown[] };
}

const batchFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  operation_ids: { type: [String], default: [] },
  rejected: { type: field.mixed<BatchItemRejection[]>(), default: [] },
  item_count: { type: Number, required: true },
  created_at: { type: Date, required: true },
  /** Swept with the operations (core/maintenance/retention.ts). */
  retention_day: { type: String },
};

export type BatchDoc = DocOf<typeof batchFields>;

const batchSchema = new Schema<BatchDoc>(batchFields, { versionKey: false, collection: 'batches', minimize: false });
batchSchema.index({ account_id: 1, _id: -1 });
batchSchema.index({ retention_day: 1 });

export function batchModel(connection: Connection): Model<BatchDoc> {
  return connection.models.Batch ?? connection.model<BatchDoc>('Batch', batchSchema);
}
