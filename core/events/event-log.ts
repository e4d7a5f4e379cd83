import { EventEmitter } from 'node:events';
import { Model } from 'mongoose';
import { setTimeout as sleep } from 'node:timers/promises';
import { insertOnce, isDuplicateKeyError } from '../db/database';
import { WriteCoalescer } from '../db/write-coalescer';
import { StoreContention } from '../errors/infrastructure-error';
import { newId } from '../ids/ids';
import { retentionDay } from '../maintenance/retention';
import { EventClaimDoc, EventDoc, EventSequenceDoc, OutboxEntryDoc } from './event-model';
import { EVENT_SCHEMAS, EventData, EventType } from './event-types';

/** Tries for one append before it reports the store as contended (and its activity waits and retries). */
const MAX_SEQ_COLLISIONS = 24;

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

  /**
   * One `$inc` in flight per account: appends that ask meanwhile share the next one, each taking
   * one number of its range in arrival order. Fewer commands in a burst, and no two of this
   * process's appends racing FerretDB's non-atomic `$inc` into the same number (other processes
   * still can: append's collision retry stays). Numbers are taken only when asked, never ahead:
   * a reserve would leave holes that readers wait out (event-sequencer.ts).
   */
  private readonly seqs = new WriteCoalescer<void, number>(async (accountId, requests) => {
    const n = requests.length;
    const counter = await this.sequences.findOneAndUpdate({ _id: accountId }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' }).lean<EventSequenceDoc>();
    const last = counter!.seq;
    return requests.map((_, i) => last - n + 1 + i);
  });

  constructor(
    private readonly events: Model<EventDoc>,
    private readonly sequences: Model<EventSequenceDoc>,
    private readonly claims: Model<EventClaimDoc>,
    private readonly outbox: Model<OutboxEntryDoc>,
  ) {}

  async append<T extends EventType>(accountId: string, type: T, data: EventData<T>, options: { dedupeKey: string; agentId?: string | null }): Promise<EventEnvelope> {
    const parsed = EVENT_SCHEMAS[type].data.parse(data) as Record<string, unknown>;
    const { eventId, fresh } = await this.claim(accountId, options.dedupeKey);
    // A claim we just made has no event yet; an older one may (a retry, or another writer).
    const existing = fresh ? null : await this.events.findById(eventId).lean<EventDoc>();
    if (existing) return toEnvelope(existing);
    const now = new Date();
    const doc: EventDoc = {
      _id: eventId,
      account_id: accountId,
      seq: await this.nextSeq(accountId),
      type,
      agent_id: options.agentId ?? null,
      data: parsed,
      dedupe_key: options.dedupeKey,
      created_at: now,
      retention_day: retentionDay(now),
    };
    // Outbox first: a crash between the two writes leaves an entry whose event is missing (the
    // retried writer adds it; the dispatcher waits for it), never an event that is not dispatched.
    // A retry after such a crash finds the earlier entry and writes that event (its seq included).
    let { event } = await insertOnce(this.outbox, { _id: eventId, event: doc, created_at: doc.created_at });
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await insertOnce(this.events, event);
        if (stored === event) this.appended.emit('appended', stored);
        return toEnvelope(stored);
      } catch (err) {
        // Not our _id but our seq: FerretDB's $inc is not atomic under concurrent writers, so two
        // appends can be handed the same number. Take a new one, in the outbox entry too.
        if (!isDuplicateKeyError(err)) throw err;
        // Many writers of one account at once (a burst of calls) keep colliding: that is the
        // store's contention, not the request's fault, so the step waits and retries (never fails for it).
        if (attempt >= MAX_SEQ_COLLISIONS) throw new StoreContention('event sequence numbers keep colliding', err);
        // Spread the racers out before the next number, or they collide again in step.
        await sleep(Math.floor(Math.random() * 10 * attempt));
        event = { ...event, seq: await this.nextSeq(accountId) };
        await this.outbox.updateOne({ _id: eventId }, { $set: { event } });
      }
    }
  }

  private nextSeq(accountId: string): Promise<number> {
    return this.seqs.request(accountId, undefined);
  }

  /** The event ID reserved for this dedupe key: the first writer's, whoever asks (one insert when it is us). */
  private async claim(accountId: string, dedupeKey: string): Promise<{ eventId: string; fresh: boolean }> {
    const mine: EventClaimDoc = { _id: `${accountId}:${dedupeKey}`, event_id: newId('event'), retention_day: retentionDay(new Date()) };
    const held = await insertOnce(this.claims, mine);
    return { eventId: held.event_id, fresh: held === mine };
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
