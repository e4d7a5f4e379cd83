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
  /** Set once webhook deliveries exist for the event (the outbox flag the dispatcher clears). */
  dispatched_at: Date | null;
  created_at: Date;
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
    dispatched_at: { type: Date, default: null },
    created_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'events', minimize: false },
);
eventSchema.index({ dispatched_at: 1, _id: 1 });
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
}

const claimSchema = new Schema<EventClaimDoc>({ _id: { type: String, required: true }, event_id: { type: String, required: true } }, { versionKey: false, collection: 'event_claims' });

export function eventClaimModel(connection: Connection): Model<EventClaimDoc> {
  return connection.models.EventClaim ?? connection.model<EventClaimDoc>('EventClaim', claimSchema);
}
