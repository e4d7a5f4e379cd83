import { Connection, Model, Schema } from 'mongoose';

export interface EventDoc {
  _id: string;
  account_id: string;
  /** Monotonic per account: the order of the log and the SSE cursor. */
  seq: number;
  type: string;
  agent_id: string | null;
  data: Record<string, unknown>;
  /** What makes the event unique (e.g. `agent.activated:op_…`), so a retried writer adds nothing. */
  dedupe_key: string;
  created_at: Date;
  /** Swept by day once older than the events retention (core/maintenance/retention.ts). */
  retention_day?: string;
}

const eventSchema = new Schema<EventDoc>(
  {
    _id: { type: String, required: true },
    account_id: { type: String, required: true },
    seq: { type: Number, required: true },
    type: { type: String, required: true },
    agent_id: { type: String, default: null },
    data: { type: Schema.Types.Mixed, required: true },
    dedupe_key: { type: String, required: true },
    created_at: { type: Date, required: true },
    retention_day: { type: String },
  },
  { versionKey: false, collection: 'events', minimize: false },
);
eventSchema.index({ retention_day: 1 });
eventSchema.index({ created_at: 1 });
eventSchema.index({ account_id: 1, seq: 1 }, { unique: true });
eventSchema.index({ account_id: 1, dedupe_key: 1 }, { unique: true });

export function eventModel(connection: Connection): Model<EventDoc> {
  return connection.models.Event ?? connection.model<EventDoc>('Event', eventSchema);
}

export interface EventSequenceDoc {
  _id: string;
  seq: number;
}

const sequenceSchema = new Schema<EventSequenceDoc>({ _id: { type: String, required: true }, seq: { type: Number, required: true } }, { versionKey: false, collection: 'event_sequences' });

export function eventSequenceModel(connection: Connection): Model<EventSequenceDoc> {
  return connection.models.EventSequence ?? connection.model<EventSequenceDoc>('EventSequence', sequenceSchema);
}

/**
 * `<account_id>:<dedupe_key>` → the event ID reserved for it. Finding an event by its dedupe key
 * is then a primary-key read (FerretDB scans for any other filter), and the reservation is what
 * lets a writer that crashed mid-append finish with the same event ID.
 */
export interface EventClaimDoc {
  _id: string;
  event_id: string;
  /** Swept with the events. */
  retention_day?: string;
}

const claimSchema = new Schema<EventClaimDoc>(
  { _id: { type: String, required: true }, event_id: { type: String, required: true }, retention_day: { type: String } },
  { versionKey: false, collection: 'event_claims' },
);
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
export interface OutboxEntryDoc {
  /** The event's ID. */
  _id: string;
  event: EventDoc;
  created_at: Date;
}

const outboxSchema = new Schema<OutboxEntryDoc>(
  { _id: { type: String, required: true }, event: { type: Schema.Types.Mixed, required: true }, created_at: { type: Date, required: true } },
  { versionKey: false, collection: 'event_outbox', minimize: false },
);

export function outboxModel(connection: Connection): Model<OutboxEntryDoc> {
  return connection.models.OutboxEntry ?? connection.model<OutboxEntryDoc>('OutboxEntry', outboxSchema);
}
