import { EventEmitter } from 'node:events';
import { Model } from 'mongoose';
import { insertOnce } from '../db/database';
import { newId } from '../ids/ids';
import { EventClaimDoc, EventDoc, EventSequenceDoc, OutboxEntryDoc } from './event-model';
import { EVENT_SCHEMAS, EventData, EventType } from './event-types';

export interface EventEnvelope {
  object: 'event';
  event_id: string;
  event_type: string;
  sequence: number;
  created_at: string;
  data: Record<string, unknown>;
}

/**
 * The one place events are written. Writers pass a dedupe key derived from the state change
 * (e.g. the operation ID), and they run inside retried activities, so an event is written
 * at least once with its change and never twice.
 */
export class EventLog {
  /** In-process nudge for whoever waits on new events here (the dispatcher); the log itself stays the source. */
  readonly appended = new EventEmitter();

  constructor(
    private readonly events: Model<EventDoc>,
    private readonly sequences: Model<EventSequenceDoc>,
    private readonly claims: Model<EventClaimDoc>,
    private readonly outbox: Model<OutboxEntryDoc>,
  ) {}

  async append<T extends EventType>(accountId: string, type: T, data: EventData<T>, options: { dedupeKey: string; agentId?: string | null }): Promise<EventEnvelope> {
    const parsed = EVENT_SCHEMAS[type].data.parse(data) as Record<string, unknown>;
    const eventId = await this.claim(accountId, options.dedupeKey);
    const existing = await this.events.findById(eventId).lean<EventDoc>();
    if (existing) return toEnvelope(existing);
    const counter = await this.sequences
      .findOneAndUpdate({ _id: accountId }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' })
      .lean<EventSequenceDoc>();
    const doc: EventDoc = {
      _id: eventId,
      account_id: accountId,
      seq: counter!.seq,
      type,
      agent_id: options.agentId ?? null,
      data: parsed,
      dedupe_key: options.dedupeKey,
      created_at: new Date(),
    };
    // Outbox first: a crash between the two writes leaves an entry whose event is missing (the
    // retried writer adds it; the dispatcher waits for it), never an event that is not dispatched.
    // A retry after such a crash finds the earlier entry and writes that event (its seq included).
    const entry = await insertOnce(this.outbox, { _id: eventId, event: doc, created_at: doc.created_at });
    const stored = await insertOnce(this.events, entry.event);
    if (stored === entry.event) this.appended.emit('appended', stored);
    return toEnvelope(stored);
  }

  /** The event ID reserved for this dedupe key: the first writer's, whoever asks. */
  private async claim(accountId: string, dedupeKey: string): Promise<string> {
    const id = `${accountId}:${dedupeKey}`;
    const held = await this.claims.findById(id).lean<EventClaimDoc>();
    if (held) return held.event_id;
    return (await insertOnce(this.claims, { _id: id, event_id: newId('event') })).event_id;
  }

  async list(accountId: string, filter: { types?: string[]; agentId?: string; afterSeq?: number; limit: number }): Promise<EventEnvelope[]> {
    const query: Record<string, unknown> = { account_id: accountId };
    if (filter.types?.length) query.type = { $in: filter.types };
    if (filter.agentId) query.agent_id = filter.agentId;
    if (filter.afterSeq !== undefined) query.seq = { $gt: filter.afterSeq };
    const docs = await this.events.find(query).sort({ seq: 1 }).limit(filter.limit).lean<EventDoc[]>();
    return docs.map(toEnvelope);
  }
}

export function toEnvelope(doc: EventDoc): EventEnvelope {
  return { object: 'event', event_id: doc._id, event_type: doc.type, sequence: doc.seq, created_at: doc.created_at.toISOString(), data: doc.data };
}
