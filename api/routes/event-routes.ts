import type { Context } from 'koa';
import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Principal } from '../../core/auth/principal';
import type { TokenService } from '../../core/auth/token-service';
import { ApiError, ValidationError } from '../../core/errors/errors';
import { EventFeed, EventFilter, matchesFilter, streamEnvelope } from '../../core/events/event-feed';
import { assertMayReadEventTypes, mayReadEventType, visibleEventTypes } from '../../core/events/event-scopes';
import type { EventDoc, EventSequenceDoc } from '../../core/events/event-model';
import { EventSequencer } from '../../core/events/event-sequencer';
import { EventTailer } from '../../core/events/event-tailer';
import { EVENT_SCHEMAS, EVENT_TYPES, EventType } from '../../core/events/event-types';
import { isId } from '../../core/ids/ids';
import { pageQuerySchema } from '../../core/pagination/pagination';
import { defineRoute, RouteSpec } from '../http/route';
import type { QuotaService } from '../../core/quotas/quota-service';
import { listSchema } from '../openapi/common-schemas';

export interface EventStreamSettings {
  /** Poll period of the process's EventTailer, when eventRoutes creates it. */
  pollIntervalMs: number;
  /** Comment line sent on an idle stream so that proxies and clients know it is alive. */
  heartbeatMs: number;
  /** The `retry:` hint: how long an EventSource waits before reconnecting. */
  retryMs: number;
  /** How long events wait behind a hole in the sequence before it is skipped (see EventSequencer). */
  gapGraceMs: number;
  /** Events per database read while replaying what a resuming client missed. */
  replayBatch: number;
  /** A client that lets this much pile up unread is disconnected (it resumes with Last-Event-ID). */
  maxBufferedBytes: number;
  /** How often a stream re-checks its credentials (revoked or expired: the stream ends). */
  authRecheckMs: number;
}

export const DEFAULT_STREAM_SETTINGS: EventStreamSettings = {
  pollIntervalMs: 100,
  heartbeatMs: 15_000,
  retryMs: 3000,
  gapGraceMs: 3000,
  replayBatch: 500,
  maxBufferedBytes: 1024 * 1024,
  authRecheckMs: 60_000,
};

export interface EventRouteDeps {
  /** core.models.events */
  events: Model<EventDoc>;
  /** core.models.eventSequences */
  sequences: Model<EventSequenceDoc>;
  /**
   * The process's one tailer. Default: EventTailer.shared(events), started here. Stopping it
   * (server shutdown) ends every open stream cleanly; clients resume on another instance.
   */
  tailer?: EventTailer;
  /** core.tokens: long-lived streams re-check their credentials with it. Without it they do not. */
  tokens?: TokenService;
  logger?: Logger;
  /** core.config.events, plus anything else to override. */
  stream?: Partial<EventStreamSettings>;
  /** core.quotas: each stream holds one of its account's slots (429 QUOTA_EXCEEDED when none is free). */
  quotas?: Pick<QuotaService, 'acquireStreamSlot'>;
}

// ---------------------------------------------------------------------------------------------
// Schemas

const commonEnvelope = {
  event_id: z.string().describe('evt_… ID, unique across the API.'),
  sequence: z.number().int().min(1).describe('Per-account position in the log: increasing, with possible gaps. The SSE `id` and the `after` cursor.'),
  created_at: z.string().describe('When the event was recorded (ISO 8601, UTC).'),
  idempotency_key: z.string().describe('Stable across redeliveries of this event on this channel (equal to event_id here); dedupe on it.'),
};

/** One event as the stream and the list carry it; `data` is typed by `event_type`. */
const eventEnvelopeSchema = z
  .discriminatedUnion(
    'event_type',
    EVENT_TYPES.map((type) =>
      z.object({
        event_id: commonEnvelope.event_id,
        event_type: z.literal(type),
        sequence: commonEnvelope.sequence,
        created_at: commonEnvelope.created_at,
        idempotency_key: commonEnvelope.idempotency_key,
        data: EVENT_SCHEMAS[type].data,
      }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
  .meta({ id: 'EventEnvelope', description: 'One event. `data` follows the JSON Schema of its `event_type` (GET /v2/event-types).' });

const eventTypeSchema = z
  .object({
    type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
    description: z.string(),
    schema: z.record(z.string(), z.unknown()).describe('JSON Schema (draft 2020-12) of the event’s `data`.'),
  })
  .meta({ id: 'EventType' });

const EVENT_TYPE_CATALOGUE = EVENT_TYPES.map((type) => ({
  type,
  description: EVENT_SCHEMAS[type].description,
  schema: z.toJSONSchema(EVENT_SCHEMAS[type].data) as Record<string, unknown>,
}));

const eventQuery = z.object({
  format: z
    .enum(['sse', 'json'])
    .optional()
    .describe('`sse`: the live stream; `json`: a page of the log. Unset: a stream, unless Accept asks for application/json and not text/event-stream.'),
  types: z
    .string()
    .max(1000)
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      const unknown = splitTypes(value).filter((t) => !(EVENT_TYPES as string[]).includes(t));
      if (unknown.length || splitTypes(value).length === 0) {
        ctx.addIssue({ code: 'custom', message: `unknown event type ${unknown.join(', ') || '(empty)'}; one of ${EVENT_TYPES.join(', ')}` });
      }
    })
    .describe(`Comma-separated event types to receive (default: every type your scopes allow). One of: ${EVENT_TYPES.join(', ')}.`),
  agent_id: z
    .string()
    .refine((v) => isId('agent', v), { message: 'must be an ID of the form agt_…' })
    .optional()
    .describe('Only events of this agent.'),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    // As documented: an integer (the generator would say integer|null for an optional coerced number).
    .meta({
      type: 'integer',
      minimum: 0,
      description: 'A sequence number: events after it. Stream: replay from there, then live (a Last-Event-ID header wins). List: ascending polling mode.',
    })
    .optional(),
  limit: pageQuerySchema.shape.limit.describe('List only: items per page, 1 to 100.'),
  cursor: pageQuerySchema.shape.cursor.describe('List only: next_cursor from the previous page.'),
});

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

function splitTypes(value: string): string[] {
  return value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

const LAST_EVENT_ID = /^\d{1,15}$/;

// ---------------------------------------------------------------------------------------------
// Routes

export function eventRoutes(deps: EventRouteDeps): RouteSpec[] {
  const settings: EventStreamSettings = { ...DEFAULT_STREAM_SETTINGS, ...deps.stream };
  const feed = new EventFeed(deps.events, deps.sequences, { gapGraceMs: settings.gapGraceMs });
  const tailer = (deps.tailer ?? EventTailer.shared(deps.events, { intervalMs: settings.pollIntervalMs, logger: deps.logger })).start();

  return [
    defineRoute({
      method: 'get',
      path: '/v2/events',
      operationId: 'streamEvents',
      summary: 'The event log: live stream (SSE) or a page of it (format=json)',
      description: [
        'One log of everything that happens in the account (GET /v2/event-types lists the types), read two ways.',
        '',
        '**Stream** (`Accept: text/event-stream`, or no `format=json`): Server-Sent Events. Each event is',
        `\`id: <sequence>\`, \`event: <event_type>\`, \`data: <EventEnvelope JSON>\`. The stream starts with \`retry: ${settings.retryMs}\``,
        `and sends a \`: keep-alive\` comment every ${seconds(settings.heartbeatMs)} s. Events arrive strictly in sequence order, each once. To resume,`,
        'reconnect with the `Last-Event-ID` header (EventSource does it by itself) or `?after=<sequence>`: what was missed',
        'is replayed from the database, then the stream goes live, with no gap and no duplicate at the switch. Sequence',
        `numbers can have holes (a writer that failed); an event behind a hole is held up to ${seconds(settings.gapGraceMs)} s for it, then the hole is skipped.`,
        'Any API instance serves any client: each reads the log from the database. The stream ends when its credential',
        `is revoked or expires (checked every ${seconds(settings.authRecheckMs)} s) and when the instance shuts down: reconnect, with a fresh token if needed.`,
        '',
        '**List** (`format=json`, or `Accept: application/json` without `text/event-stream`): `{"data","has_more","next_cursor"}`',
        'of EventEnvelope (the stream’s `data` payloads), `limit` 1-100. Default order: newest first, like every list.',
        'With `after=<sequence>`: events with a greater sequence in **ascending** order, for polling: pass the last sequence',
        'you received as the next `after`. This mode stops before a hole that may still fill, so polling never skips a late event;',
        'follow next_cursor while has_more is true.',
        '',
        'Filters for both: `types`, `agent_id`. Only the caller’s account is ever visible. call.* and extraction.* events',
        'need the `calls:read` scope and credit.low needs `account:admin` too: without them they are left out, and asking',
        'for them by `types` is 403 INSUFFICIENT_SCOPE.',
      ].join('\n'),
      tag: 'events',
      scope: 'agents:read',
      query: eventQuery,
      raw: true,
      errors: ['INVALID_CURSOR', 'QUOTA_EXCEEDED'],
      responses: {
        200: {
          description:
            'The event stream (text/event-stream): each `data:` line is one EventEnvelope. With format=json, a page of the log instead: `{"data":[EventEnvelope…],"has_more","next_cursor"}` (application/json).',
          contentType: 'text/event-stream',
          schema: eventEnvelopeSchema,
        },
      },
      async handler({ query, principal, ctx }) {
        const filter = eventFilter(principal, query.types, query.agent_id);
        if (wantsJson(ctx, query.format)) {
          const page = await feed.list(principal.accountId, filter, { limit: query.limit, cursor: query.cursor, after: query.after });
          return { status: 200, body: page, headers: { 'Cache-Control': 'no-store' } };
        }
        const lastEventId = ctx.get('Last-Event-ID').trim();
        if (lastEventId && !LAST_EVENT_ID.test(lastEventId)) {
          throw new ValidationError([{ field: 'Last-Event-ID', location: 'header', issue: 'invalid', message: 'must be the id of an event from this stream (a sequence number)' }]);
        }
        // The header is what EventSource sends on reconnect, to the same URL: it wins over ?after.
        const after = lastEventId ? Number(lastEventId) : query.after;
        const slot = await deps.quotas?.acquireStreamSlot(principal.accountId);
        try {
          await streamEvents(ctx, principal, filter, after, { feed, settings, tailer, deps });
        } finally {
          await slot?.release().catch((err: unknown) => deps.logger?.warn({ err, account_id: principal.accountId }, 'event stream slot not freed (it expires)'));
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/event-types',
      operationId: 'listEventTypes',
      summary: 'Event types and the JSON Schema of each one’s data',
      description: 'The whole catalogue in one page (it is small and fixed). The same types are used by the event stream, the event list and webhooks.',
      tag: 'events',
      scope: 'agents:read',
      responses: { 200: { description: 'Every event type.', schema: listSchema(eventTypeSchema, 'EventTypeList') } },
      async handler() {
        return { status: 200, body: { data: EVENT_TYPE_CATALOGUE, has_more: false, next_cursor: null } };
      },
    }),
  ];
}

function wantsJson(ctx: Context, format: 'sse' | 'json' | undefined): boolean {
  if (format) return format === 'json';
  const accept = ctx.get('Accept').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/event-stream');
}

/** The types this caller asked for and may see; asking for one it may not see is a 403 naming the scope. */
function eventFilter(principal: Principal, typesParam: string | undefined, agentId: string | undefined): EventFilter {
  const visible = visibleEventTypes(principal.scopes);
  if (typesParam === undefined) return { types: visible, agentId };
  const asked = [...new Set(splitTypes(typesParam))];
  assertMayReadEventTypes(principal.scopes, asked);
  return { types: asked, agentId };
}

// ---------------------------------------------------------------------------------------------
// The stream

/** The wire form of an event, built once per event object and shared by every connection that sends it. */
const frames = new WeakMap<EventDoc, string>();
function frameOf(doc: EventDoc): string {
  let frame = frames.get(doc);
  if (frame === undefined) {
    frame = `id: ${doc.seq}\nevent: ${doc.type}\ndata: ${JSON.stringify(streamEnvelope(doc))}\n\n`;
    frames.set(doc, frame);
  }
  return frame;
}

interface StreamContext {
  feed: EventFeed;
  settings: EventStreamSettings;
  tailer: EventTailer;
  deps: EventRouteDeps;
}

/**
 * Serves one SSE connection until the client goes away. Order of things, so that nothing is
 * lost or doubled at the switch from replay to live:
 *   1. subscribe to the tailer (events arriving from now on are kept);
 *   2. settle the cursor: Last-Event-ID / after, or the account's current sequence for "live only";
 *   3. replay everything after the cursor from the database, in pages (only when resuming);
 *   4. live: tailer events go through the same sequencer, which drops what replay already sent.
 * The sequencer delivers strictly by seq and holds events behind a hole (see EventSequencer).
 */
async function streamEvents(ctx: Context, principal: Principal, filter: EventFilter, after: number | undefined, { feed, settings, tailer, deps }: StreamContext): Promise<void> {
  const { accountId } = principal;
  const logger = deps.logger;
  if (!tailer.isRunning) {
    // Shutting down: no live events would come. Another instance serves the reconnect.
    throw new ApiError('SERVICE_UNAVAILABLE', 'This instance is shutting down; reconnect.', { retryAfterSeconds: 1 });
  }
  let sequencer: EventSequencer | undefined;
  const early: EventDoc[] = [];
  const unsubscribe = tailer.subscribe(accountId, (doc) => (sequencer ? sequencer.offer(doc) : early.push(doc)));

  let cursor: number;
  try {
    cursor = after ?? (await feed.currentSeq(accountId));
  } catch (err) {
    unsubscribe();
    throw err; // nothing sent yet: the error middleware answers in the usual shape
  }

  const res = ctx.res;
  const socket = ctx.req.socket;
  ctx.respond = false;
  socket.setNoDelay(true);
  socket.setKeepAlive(true);
  socket.setTimeout(0);
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  res.write(`retry: ${settings.retryMs}\n\n`);

  let closed = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const timers: NodeJS.Timeout[] = [];
  let filterTypes = new Set(filter.types);
  let sent = 0;
  let cancelOnStop = () => {};

  const close = (reason: string) => {
    if (closed) return;
    closed = true;
    unsubscribe();
    sequencer?.close();
    for (const t of timers) clearInterval(t);
    cancelOnStop();
    if (!res.writableEnded && !res.destroyed) res.end();
    logger?.debug({ account_id: accountId, reason, sent, position: sequencer?.position }, 'event stream closed');
    finish();
  };

  const write = (chunk: string) => {
    if (closed) return;
    res.write(chunk);
    if (res.writableLength > settings.maxBufferedBytes) {
      // The client does not keep up; it resumes from its Last-Event-ID without costing our memory.
      res.destroy();
      close('slow_client');
    }
  };

  res.on('close', () => close('client_closed'));
  res.on('error', () => close('socket_error'));
  cancelOnStop = tailer.onStop(() => close('server_shutdown'));
  // Gone while we looked up the cursor, or the tailer stopped meanwhile: 'close' will not come again.
  if (socket.destroyed || res.destroyed) close('client_closed');
  else if (!tailer.isRunning) close('server_shutdown');
  if (closed) return;

  sequencer = new EventSequencer(cursor, {
    gapGraceMs: settings.gapGraceMs,
    fill: (from, to) => feed.range(accountId, from, to),
    emit: (doc) => {
      if (!matchesFilter(doc, filter, filterTypes)) return;
      sent++;
      write(frameOf(doc));
    },
    onSkip: (from, to) => logger?.warn({ account_id: accountId, from_seq: from, to_seq: to - 1 }, 'event stream skipped a permanent gap in the sequence'),
    onError: (err) => logger?.warn({ err, account_id: accountId }, 'event stream could not fill a gap'),
  });
  sequencer.pause();
  for (const doc of early.splice(0)) sequencer.offer(doc);

  timers.push(setInterval(() => write(': keep-alive\n\n'), settings.heartbeatMs));
  if (deps.tokens) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('Authorization'))?.[1] ?? '';
    const tokens = deps.tokens;
    timers.push(
      setInterval(() => {
        void tokens.authenticate(bearer).then(
          (now) => {
            if (!now || now.accountId !== accountId || !now.scopes.has('agents:read')) return close('credentials_revoked');
            // Scopes can only shrink for a live credential; keep the types it may still see.
            filterTypes = new Set([...filterTypes].filter((t) => mayReadEventType(now.scopes, t)));
          },
          () => undefined, // database hiccup: check again next time
        );
      }, settings.authRecheckMs),
    );
  }
  for (const t of timers) t.unref();

  try {
    // Live only (no cursor given): everything numbered after the counter we read is inserted after
    // we subscribed, so the tailer brings it; there is nothing to replay.
    let position = cursor;
    while (!closed && after !== undefined) {
      const page = await feed.after(accountId, position, settings.replayBatch);
      for (const doc of page) sequencer.offer(doc, true);
      if (page.length < settings.replayBatch) break;
      position = page[page.length - 1].seq;
      if (res.writableNeedDrain && !closed) await drained(res);
    }
    sequencer.resume();
  } catch (err) {
    logger?.warn({ err, account_id: accountId }, 'event stream replay failed');
    close('replay_failed'); // the client reconnects with its Last-Event-ID
  }
  await done;
}

/** Resolves when the response can take more, or is gone. */
function drained(res: Context['res']): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
