import { Connection, Model, Schema } from 'mongoose';
import type { DocOf } from '../db/schema-types';

/**
 * One of an account's event-stream slots: `_id` is `<account>:<n>` for n below the quota, so
 * taking a slot is one insert on a unique `_id` (two streams can never hold the same slot, on
 * FerretDB too, where conditional updates are not atomic). A live stream renews `expires_at`; a
 * slot left by a process that died is taken over once it has expired.
 */
const streamSlotFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  /** Random per stream: only its holder renews or frees a slot. */
  holder: { type: String, required: true },
  expires_at: { type: Date, required: true },
};

export type StreamSlotDoc = DocOf<typeof streamSlotFields>;

const streamSlotSchema = new Schema<StreamSlotDoc>(streamSlotFields, { versionKey: false, collection: 'event_stream_slots' });

export function streamSlotModel(connection: Connection): Model<StreamSlotDoc> {
  return connection.models.StreamSlot ?? connection.model<StreamSlotDoc>('StreamSlot', streamSlotSchema);
}
