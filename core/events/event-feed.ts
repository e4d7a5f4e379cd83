import type { Model } from 'mongoose';
import { ApiError } from '../errors/errors';
import { decodeCursor, encodeCursor, Page } from '../pagination/pagination';
import type { EventDoc, EventSequenceDoc } from './event-model';
import { EVENT_TYPES } from './event-types';

/**
 * What a reader of the log (SSE stream, JSON list) gets for one event. `sequence` is the
 * per-account cursor (the SSE `id:`); `idempotency_key` is the event ID, so a consumer that
 * also receives webhooks can dedupe on one key per delivery channel.
 */
export interface StreamEnvelope {
  event_id: string;
  event_type: string;
  sequence: number;
  created_at: string;
  idempotency_key: string;
  data: Record<string, unknown>;
}

export function streamEnvelope(doc: EventDoc): StreamEnvelope {
  return {
    event_id: doc._id,
    event_type: doc.type,
    sequence: doc.seq,
    created_at: doc.created_at.toISOString(),
    idempotency_key: doc._id,
    data: doc.data,
  };
}

export interface EventFilter {
  /** The types the caller may see and asked for (never empty: an empty ask means every visible type). */
  types: readonly string[];
  agentId?: string;
}

export function matchesFilter(doc: EventDoc, filter: EventFilter, typeSet: ReadonlySet<string> = new Set(filter.types)): boolean {
  return typeSet.has(doc.type) && (filter.agentId === undefined || doc.agent_id === filter.agentId);
}

export interface EventFeedOptions {
  /**
   * How long a hole in the sequence may be an event still being written (its writer took the
   * number but has not inserted yet). Older holes are permanent: their writer died in between.
   */
  gapGraceMs: number;
  /** Most unfiltered events one polling request walks through. */
  maxScan?: number;
}

const LIST = 'events';

/**
 * Reading the event log: the newest-first list, the ascending "after" list for polling clients,
 * and the unfiltered ranges the SSE stream replays and fills gaps from. All queries are per account
 * on the (account_id, seq) index; nothing here trusts process memory, so every API instance
 * answers the same.
 */
export class EventFeed {
  private readonly maxScan: number;

  constructor(
    private readonly events: Model<EventDoc>,
    private readonly sequences: Model<EventSequenceDoc>,
    readonly options: EventFeedOptions,
  ) {
    this.maxScan = options.maxScan ?? 1000;
  }

  /**
   * The last sequence number handed out for the account (0 when none): where a stream without
   * a cursor starts. A lookup by `_id`, cheap on every backend.
   */
  async currentSeq(accountId: string): Promise<number> {
    const counter = await this.sequences.findById(accountId).lean<EventSequenceDoc>();
    return counter?.seq ?? 0;
  }

  /** Every event of the account with afterSeq < seq, ascending, unfiltered (gaps show as missing numbers). */
  async after(accountId: string, afterSeq: number, limit: number): Promise<EventDoc[]> {
    return this.events
      .find({ account_id: accountId, seq: { $gt: afterSeq } })
      .sort({ seq: 1 })
      .limit(limit)
      .lean<EventDoc[]>();
  }

  /** Events with fromSeq <= seq < toSeq: what a stream asks for when a hole has waited long enough. */
  async range(accountId: string, fromSeq: number, toSeq: number): Promise<EventDoc[]> {
    if (toSeq <= fromSeq) return [];
    return this.events
      .find({ account_id: accountId, seq: { $gte: fromSeq, $lt: toSeq } })
      .sort({ seq: 1 })
      .lean<EventDoc[]>();
  }

  /**
   * The list for polling clients. Without `after`/an ascending cursor: newest first, like every
   * list. With them: seq > after, ascending, and it stops before a hole that may still fill
   * (a younger one than gapGraceMs), so a client that polls with the last sequence it saw never
   * steps over an event that lands late.
   */
  async list(accountId: string, filter: EventFilter, page: { limit: number; cursor?: string; after?: number }): Promise<Page<StreamEnvelope>> {
    let position: { dir: 'asc' | 'desc'; seq: number } | undefined;
    if (page.cursor !== undefined) position = decodeEventCursor(page.cursor);
    if (page.after !== undefined) {
      if (position) {
        throw new ApiError('VALIDATION_ERROR', 'Send either after or cursor, not both.', {
          details: [{ field: 'after', location: 'query', issue: 'conflict', message: 'after and cursor cannot be combined; next_cursor already carries the position' }],
        });
      }
      position = { dir: 'asc', seq: page.after };
    }
    if (position?.dir === 'asc') return this.listAscending(accountId, filter, position.seq, page.limit);
    return this.listNewest(accountId, filter, position?.seq, page.limit);
  }

  private async listNewest(accountId: string, filter: EventFilter, beforeSeq: number | undefined, limit: number): Promise<Page<StreamEnvelope>> {
    const query: Record<string, unknown> = { account_id: accountId };
    if (filter.types.length < EVENT_TYPES.length) query.type = { $in: filter.types };
    if (filter.agentId !== undefined) query.agent_id = filter.agentId;
    if (beforeSeq !== undefined) query.seq = { $lt: beforeSeq };
    const docs = await this.events.find(query).sort({ seq: -1 }).limit(limit + 1).lean<EventDoc[]>();
    const hasMore = docs.length > limit;
    const items = hasMore ? docs.slice(0, limit) : docs;
    return {
      data: items.map(streamEnvelope),
      has_more: hasMore,
      next_cursor: hasMore ? encodeEventCursor('desc', items[items.length - 1].seq) : null,
    };
  }

  /**
   * Walks the unfiltered log from afterSeq (the filter cannot be pushed into the query: a hole is
   * only visible among all of the account's events) until `limit` matches, a young hole, the end,
   * or maxScan events.
   */
  private async listAscending(accountId: string, filter: EventFilter, afterSeq: number, limit: number): Promise<Page<StreamEnvelope>> {
    const typeSet = new Set(filter.types);
    const matches: EventDoc[] = [];
    const youngAfter = Date.now() - this.options.gapGraceMs;
    let horizon = afterSeq;
    let scanned = 0;
    let stopped: 'limit' | 'hole' | 'end' | 'scan' = 'end';
    outer: while (true) {
      const size = Math.min(200, this.maxScan - scanned + 1);
      const batch = await this.after(accountId, horizon, size);
      for (const doc of batch) {
        if (matches.length === limit || scanned === this.maxScan) {
          stopped = matches.length === limit ? 'limit' : 'scan';
          break outer;
        }
        if (doc.seq !== horizon + 1 && doc.created_at.getTime() > youngAfter) {
          stopped = 'hole';
          break outer;
        }
        scanned++;
        horizon = doc.seq;
        if (matchesFilter(doc, filter, typeSet)) matches.push(doc);
      }
      if (batch.length < size) break;
    }
    // has_more: something after the horizon can be read right now; at a young hole or the end,
    // poll again later with after = the last sequence received.
    const hasMore = stopped === 'limit' || stopped === 'scan';
    return {
      data: matches.map(streamEnvelope),
      has_more: hasMore,
      next_cursor: hasMore ? encodeEventCursor('asc', horizon) : null,
    };
  }
}

function encodeEventCursor(dir: 'asc' | 'desc', seq: number): string {
  return encodeCursor(LIST, `${dir === 'asc' ? 'a' : 'd'}${seq}`);
}

function decodeEventCursor(cursor: string): { dir: 'asc' | 'desc'; seq: number } {
  const key = decodeCursor(LIST, cursor);
  const m = /^([ad])(\d{1,15})$/.exec(key);
  if (!m) {
    throw new ApiError('INVALID_CURSOR', 'The cursor is not valid for this list.', {
      details: [{ field: 'cursor', issue: 'invalid', message: 'use next_cursor exactly as returned by this list' }],
    });
  }
  return { dir: m[1] === 'a' ? 'asc' : 'desc', seq: Number(m[2]) };
}
