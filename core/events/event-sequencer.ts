import type { EventDoc } from './event-model';

export interface EventSequencerOptions {
  /** How long a hole may wait for its event before it is skipped (the writer died between number and insert). */
  gapGraceMs: number;
  /** Reads seq in [from, to) from the database: asked once per hole before skipping it. */
  fill(fromSeq: number, toSeq: number): Promise<EventDoc[]>;
  /** Receives every event in strict sequence order, each once. */
  emit(doc: EventDoc): void;
  onSkip?(fromSeq: number, toSeq: number): void;
  onError?(err: unknown): void;
  now?: () => number;
}

interface Held {
  doc: EventDoc;
  /** When this event may stop waiting for the hole before it. */
  deadline: number;
}

/**
 * Puts one account's events into strict sequence order for one reader, whatever order they come
 * in (database replay, the tailer, several writers racing for numbers).
 *
 * EventLog.append takes a number, then inserts, so seq 6 can become visible before seq 5, and a
 * writer that dies in between leaves 5 missing for ever. Events after a hole are held back until
 * the hole fills or its grace period ends; then the database is asked once for the missing range
 * (the tailer may simply not have seen it) and whatever is still missing is skipped.
 *
 * The grace period of a hole runs from the earlier of "we received the event after it" and
 * "that event was created": a number is taken before its successor's, so a hole whose successor
 * is older than the grace period cannot still be filling, and a replay of old history with old
 * holes does not stall.
 */
export class EventSequencer {
  private next: number;
  private readonly held = new Map<number, Held>();
  private timer: NodeJS.Timeout | undefined;
  private filling = false;
  private paused = false;
  private closed = false;
  private readonly now: () => number;

  constructor(
    startAfterSeq: number,
    private readonly options: EventSequencerOptions,
  ) {
    this.next = startAfterSeq + 1;
    this.now = options.now ?? Date.now;
  }

  /** The highest sequence number emitted or skipped: everything up to it is settled. */
  get position(): number {
    return this.next - 1;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /**
   * Hand in an event. `fromDatabase`: it comes from a read of the log, which is as good as a fill,
   * so an expired hole before it is skipped at once instead of being asked about again.
   */
  offer(doc: EventDoc, fromDatabase = false): void {
    if (this.closed || doc.seq < this.next || this.held.has(doc.seq)) return;
    const now = this.now();
    const deadline = Math.min(now, doc.created_at.getTime()) + this.options.gapGraceMs;
    this.held.set(doc.seq, { doc, deadline });
    this.drain();
    if (fromDatabase && !this.filling) {
      // Skip holes before this event that have expired; the read that produced it saw them empty.
      while (this.held.size > 0 && !this.held.has(this.next)) {
        const first = this.lowestHeld();
        if (first > doc.seq || this.held.get(first)!.deadline > now) break;
        this.skipTo(first);
      }
    }
    this.schedule();
  }

  /** While paused (during replay), holes wait: the replay itself may still bring their events. */
  pause(): void {
    this.paused = true;
    this.clearTimer();
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.clearTimer();
    this.held.clear();
  }

  private drain(): void {
    let entry = this.held.get(this.next);
    while (entry && !this.closed) {
      this.held.delete(this.next);
      this.next++;
      this.options.emit(entry.doc);
      entry = this.held.get(this.next);
    }
  }

  private skipTo(seq: number): void {
    this.options.onSkip?.(this.next, seq);
    this.next = seq;
    this.drain();
  }

  private lowestHeld(): number {
    let min = Infinity;
    for (const seq of this.held.keys()) if (seq < min) min = seq;
    return min;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.closed || this.paused || this.filling) return;
    this.clearTimer();
    if (this.held.size === 0) return;
    const first = this.held.get(this.lowestHeld())!;
    const delay = Math.max(0, first.deadline - this.now());
    this.timer = setTimeout(() => void this.expire(), delay);
    this.timer.unref();
  }

  private async expire(): Promise<void> {
    this.timer = undefined;
    if (this.closed || this.paused || this.held.size === 0) return;
    const from = this.next;
    const to = this.lowestHeld();
    this.filling = true;
    try {
      const found = await this.options.fill(from, to);
      for (const doc of found) {
        if (this.closed) return;
        if (doc.seq >= this.next && doc.seq < to && !this.held.has(doc.seq)) this.held.set(doc.seq, { doc, deadline: 0 });
      }
      this.drain();
    } catch (err) {
      // Could not ask: skip anyway rather than stall the stream; the client can page the list.
      this.options.onError?.(err);
    } finally {
      this.filling = false;
    }
    if (this.closed) return;
    // Whatever is still missing before the event that waited is given up on.
    while (this.next < to && this.held.size > 0 && !this.held.has(this.next)) this.skipTo(this.lowestHeld());
    this.schedule();
  }
}
