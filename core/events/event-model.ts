import { Connection, Model, Schema } from 'mongoose';
import { DocOf, field } from '../db/schema-types';

const eventFields = {
  _id: { type: String, required: true },
  account_id: { type: String, required: true },
  /** Monotonic per account: the order of the log and the SSE cursor. */
  seq: { type: Number, required: true },
  type: { type: String, required: true },
  agent_id: { type: String, default: null },
  data: { type: field.mixed<Record<string, unknown>>(), required: true },
  /** What makes the event unique (e.g. `agent.activated:op_…`), so a retried writer adds nothing. */
  dedupe_key: { type: String, required: true },
  created_at: { type: Date, required: true },
  /** Swept by day once older than the events retention (core/maintenance/retention.ts). */
  retention_day: { type: String },
};

export type EventDoc = DocOf<typeof eventFields>;

const eventSchema = new Schema<EventDoc>(eventFields, { versionKey: false, collection: 'events', minimize: false });
eventSchema.index({ retention_day: 1 });
eventSchema.index({ created_at: 1 });
eventSchema.index({ account_id: 1, seq: 1 }, { unique: true });
eventSchema.index({ account_id: 1, dedupe_key: 1 }, { unique: true });

export function eventModel(connection: Connection): Model<EventDoc> {
  return connection.models.Event ?? connection.model<EventDoc>('Event', eventSchema);
}

const sequenceFields = { _id: { type: String, required: true }, seq: { type: Number, required: true } };

export type EventSequenceDoc = DocOf<typeof sequenceFields>;

const sequenceSchema = new Schema<EventSequenceDoc>(sequenceFields, { versionKey: false, collection: 'event_sequences' });

export function eventSequenceModel(connection: Connection): Model<EventSequenceDoc> {
  return connection.models.EventSequence ?? connection.model<EventSequenceDoc>('EventSequence', sequenceSchema);
}

/**
 * `<account_id>:<dedupe_key>` → the event ID reserved for it. Finding an event by its dedupe key
 * is then a primary-key read (FerretDB scans for any other filter), and the reservation is what
 * lets a writer that crashed mid-append finish with the same event ID.
 */
const claimFields = {
  _id: { type: String, required: true },
  event_id: { type: String, required: true },
  /** Swept with the events. */
  retention_day: { type: String },
};

export type EventClaimDoc = DocOf<typeof claimFields>;

const claimSchema = new Schema<EventClaimDoc>(claimFields, { versionKey: false, collection: 'event_claims' });
claimSchema.index({ retention_day: 1 });

export function eventClaimModel(connection: Connection): Model<EventClaimDoc> {
  return connection.models.EventClaim ?? connection.model<EventClaimDoc>('EventClaim', claimSchema);
}

/**
 * The webhook outbox: one entry per event not yet turned into deliveries, holding the event
 * itself. It is written before the event and deleted once the event's deliveries were started,
 * so it only ever holds the last moments' events: the dispatcher's poll reads a collection that
 * stays small however long the log grows (FerretDB answers any non-`_id` filter by a scan).
 */
const outboxFields = {
  /** The event's ID. */
  _id: { type: String, required: true },
  event: { type: field.mixed<EventDoc>(), required: true },
  created_at: { type: Date, required: true },
};

export type OutboxEntryDoc = DocOf<typeof outboxFields>;

const outboxSchema = new Schema<OutboxEntryDoc>(outboxFields, { versionKey: false, collection: 'event_outbox', minimize: false });

export function outboxModel(connection: Connection): Model<OutboxEntryDoc> {
  return connection.models.OutboxEntry ?? connection.model<OutboxEntryDoc>('OutboxEntry', outboxSchema);
}
