import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import { decodeTime, encodeTime } from 'ulid';
import { ID_PREFIXES } from '../ids/ids';
import { addDays, retentionDay } from '../maintenance/retention';
import type { EventDoc } from './event-model';

export type EventListener = (doc: EventDoc) => void;

export interface EventTailerOptions {
  /** Time between the start of one poll and the next while anyone listens. */
  intervalMs?: number;
  /** Every poll re-reads this far behind the newest event seen (inserts that land a little late). */
  recentLookbackMs?: number;
  /** A deeper re-read, every sweepEveryMs: slow inserts and writers whose clocks lag. */
  lookbackMs?: number;
  sweepEveryMs?: number;
  /** Events per query; a poll reads on page after page until it has caught up (or maxPagesPerPoll). */
  batchSize?: number;
  maxPagesPerPoll?: number;
  /** Event IDs remembered to drop re-reads; must exceed the events of one lookback window. */
  seenCapacity?: number;
  /** Pause after a failed poll. */
  errorBackoffMs?: number;
  logger?: Logger;
  /** Schedules the polls. Default: unref'd setTimeout. Tests pass one they fire by hand. */
  timers?: TailerTimers;
}

/** The one timer the tailer keeps: the next poll. */
export interface TailerTimers {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: TailerTimers = {
  set(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    handle.unref();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const EVENT_ID_PREFIX = `${ID_PREFIXES.event}_`;
/** How far ahead of ours a writer's clock may be for its events to land on the next day. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;


/** The smallest event ID created at or after `ms`: `_id` is `evt_<ulid>` and a ULID starts with its time. */
function firstIdAt(ms: number): string {
  return `${EVENT_ID_PREFIX}${encodeTime(Math.max(0, Math.floor(ms)), 10).toLowerCase()}`;
}

function idTime(id: string): number | null {
  try {
    return decodeTime(id.slice(EVENT_ID_PREFIX.length).toUpperCase());
  } catch {
    return null;
  }
}

/**
 * One per API process: tails the `events` collection for every account and hands each new event
 * to the in-process subscribers of its account (the SSE connections).
 *
 * FerretDB has no change streams, so this polls: every intervalMs, events whose `_id` (a ULID:
 * time-ordered, indexed everywhere) is at or after "newest seen - lookback", ascending. The
 * lookback re-reads recent history so that an event inserted a little after its ID was made (or by
 * a writer with a slightly late clock) is still seen; a bounded set of seen IDs drops the re-reads.
 * Because it reads the database and not process memory, every API instance sees every event,
 * whichever process wrote it. Subscribers still dedupe and order by seq themselves (EventSequencer):
 * this is a best-effort feed, the sequence is the truth.
 *
 * No subscribers, no queries. Timers are unref'd: the tailer never keeps a process alive.
 */
export class EventTailer {
  private static readonly byModel = new WeakMap<Model<EventDoc>, EventTailer>();

  /**
   * The process's tailer for this events model (one model per database connection, so one per
   * API process; a second in-process instance over its own connection, as in tests, gets its own).
   * Options apply when it is first created.
   */
  static shared(events: Model<EventDoc>, options: EventTailerOptions = {}): EventTailer {
    let tailer = EventTailer.byModel.get(events);
    if (!tailer) EventTailer.byModel.set(events, (tailer = new EventTailer(events, options)));
    return tailer;
  }

  private readonly subscribers = new Map<string, Set<EventListener>>();
  private listenerCount = 0;
  private running = false;
  private timer: unknown;
  private polling = false;
  /** Newest event time seen (capped at our clock); undefined until the first poll after idle. */
  private watermark: number | undefined;
  private lastSweepAt = 0;
  private readonly seen = new Set<string>();
  private readonly stopListeners = new Set<() => void>();
  private readonly o: Required<Omit<EventTailerOptions, 'logger' | 'timers'>>;
  private readonly logger: Logger | undefined;
  private readonly timers: TailerTimers;
  readonly stats = { polls: 0, queries: 0, events: 0, errors: 0, lastPollMs: 0 };

  constructor(
    private readonly events: Model<EventDoc>,
    options: EventTailerOptions = {},
  ) {
    this.o = {
      intervalMs: options.intervalMs ?? 100,
      recentLookbackMs: options.recentLookbackMs ?? 1000,
      lookbackMs: options.lookbackMs ?? 5000,
      sweepEveryMs: options.sweepEveryMs ?? 1000,
      batchSize: options.batchSize ?? 500,
      maxPagesPerPoll: options.maxPagesPerPoll ?? 20,
      seenCapacity: options.seenCapacity ?? 50_000,
      errorBackoffMs: options.errorBackoffMs ?? 1000,
    };
    this.logger = options.logger;
    this.timers = options.timers ?? realTimers;
  }

  get subscriberCount(): number {
    return this.listenerCount;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    this.schedule(0);
    return this;
  }

  /** Stops polling and tells whoever asked (onStop): a stream without a tailer would silently stall. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.cancelTimer();
    this.watermark = undefined;
    for (const listener of [...this.stopListeners]) listener();
  }

  /** Called once when the tailer stops (server shutdown); returns the function that cancels it. */
  onStop(listener: () => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  /** Calls `listener` with every new event of the account until the returned function is called. */
  subscribe(accountId: string, listener: EventListener): () => void {
    let set = this.subscribers.get(accountId);
    if (!set) this.subscribers.set(accountId, (set = new Set()));
    if (!set.has(listener)) {
      set.add(listener);
      this.listenerCount++;
    }
    if (this.listenerCount === 1) this.schedule(0);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const current = this.subscribers.get(accountId);
      if (!current?.delete(listener)) return;
      this.listenerCount--;
      if (current.size === 0) this.subscribers.delete(accountId);
      if (this.listenerCount === 0) this.idle();
    };
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  private idle(): void {
    this.cancelTimer();
    // Start afresh from the newest event when someone listens again, rather than reading the gap.
    this.watermark = undefined;
  }

  private schedule(delayMs: number): void {
    if (!this.running || this.listenerCount === 0 || this.polling) return;
    this.cancelTimer();
    this.timer = this.timers.set(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (!this.running || this.listenerCount === 0) return;
    this.polling = true;
    const started = Date.now();
    let next = this.o.intervalMs;
    try {
      await this.poll(started);
    } catch (err) {
      this.stats.errors++;
      this.logger?.warn({ err }, 'event tailer poll failed');
      next = this.o.errorBackoffMs;
    } finally {
      this.polling = false;
    }
    this.stats.polls++;
    this.stats.lastPollMs = Date.now() - started;
    if (this.listenerCount === 0 || !this.running) this.watermark = undefined;
    // At most one query in flight per process; a slow database slows the polls, not piles them up.
    this.schedule(Math.max(10, next - this.stats.lastPollMs));
  }

  private async poll(now: number): Promise<void> {
    if (this.watermark === undefined) {
      // Streams replay what their clients missed themselves; the tailer only needs what is new.
      this.watermark = now;
      this.lastSweepAt = now;
    }
    const deep = now - this.lastSweepAt >= this.o.sweepEveryMs;
    const since = this.watermark - (deep ? this.o.lookbackMs : this.o.recentLookbackMs);
    // By day first: equality on `retention_day` is what FerretDB answers from an index, so a poll
    // reads the day's events, not the whole log (the `_id` range is applied after). Usually one
    // day; two around midnight (a writer's clock a little ahead is covered by the next day).
    for (let day = retentionDay(new Date(since)); day <= retentionDay(new Date(now + CLOCK_SKEW_MS)); day = addDays(day, 1)) {
      let range: Record<string, string> = { $gte: firstIdAt(since) };
      for (let page = 0; page < this.o.maxPagesPerPoll; page++) {
        const docs = await this.events.find({ retention_day: day, _id: range }).sort({ _id: 1 }).limit(this.o.batchSize).lean<EventDoc[]>();
        this.stats.queries++;
        for (const doc of docs) this.accept(doc, now);
        if (docs.length < this.o.batchSize || !this.running || this.listenerCount === 0) break;
        range = { $gt: docs[docs.length - 1]._id };
      }
    }
    if (deep) this.lastSweepAt = now;
  }

  private accept(doc: EventDoc, now: number): void {
    if (this.seen.has(doc._id)) return;
    this.seen.add(doc._id);
    if (this.seen.size > this.o.seenCapacity) {
      // A Set iterates in insertion order: drop the oldest.
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    const t = idTime(doc._id);
    if (t !== null) this.watermark = Math.max(this.watermark ?? 0, Math.min(t, now));
    this.stats.events++;
    const listeners = this.subscribers.get(doc.account_id);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(doc);
      } catch (err) {
        this.logger?.error({ err, event_id: doc._id }, 'event subscriber failed');
      }
    }
  }
}
