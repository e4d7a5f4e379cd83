import { Connection, Model, Schema } from 'mongoose';

export interface BatchItemRejection {
  index: number;
  error: { code: string; message: string; details: unknown[] };
}

export interface BatchDoc {
  _id: string;
  account_id: string;
  operation_ids: string[];
  rejected: BatchItemRejection[];
  item_count: number;
  created_at: Date;
  /** Swept with the operations (core/maintenance/retention.ts). */
  retention_day?: string;
}

const batchSchema = new Schema<BatchDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    operation_ids: { type: [String], default: [] },
    rejected: { type: Schema.Types.Mixed, default: [] },
    item_count: { type: Number, required: true },
    created_at: { type: Date, required: true },
    retention_day: { type: String },
  },
  { versionKey: false, collection: 'batches', minimize: false },
);
batchSchema.index({ account_id: 1, _id: -1 });
batchSchema.index({ retention_day: 1 });

export function batchModel(connection: Connection): Model<BatchDoc> {
  return connection.models.Batch ?? connection.model<BatchDoc>('Batch', batchSchema);
}
