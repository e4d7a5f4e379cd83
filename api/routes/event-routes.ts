import type { Context } from 'koa';
import { z } from 'zod';
import type { Principal } from '../../core/auth/principal';
import { ValidationError } from '../../core/errors/errors';
import { EventFilter, streamEnvelope } from '../../core/events/event-feed';
import { assertMayReadEventTypes, visibleEventTypes } from '../../core/events/event-scopes';
import type { EventDoc } from '../../core/events/event-model';
import type { EventStreamService, StreamConnection } from '../../core/events/event-stream-service';
import { EVENT_SCHEMAS, EVENT_TYPES, EventType } from '../../core/events/event-types';
import { isId } from '../../core/ids/ids';
import { pageQuerySchema } from '../../core/pagination/pagination';
import { defineRoute, RouteSpec } from '../http/route';
import { listSchema } from '../openapi/common-schemas';

export type { EventStreamSettings } from '../../core/events/event-stream-service';

/** The routes read the log only through the stream service (built in core/composition-root.ts). */
export interface EventRouteDeps {
  streams: EventStreamService;
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

export function eventRoutes({ streams }: EventRouteDeps): RouteSpec[] {
  const settings = streams.settings;

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
          const page = await streams.list(principal.accountId, filter, { limit: query.limit, cursor: query.cursor, after: query.after });
          return { status: 200, body: page, headers: { 'Cache-Control': 'no-store' } };
        }
        const lastEventId = ctx.get('Last-Event-ID').trim();
        if (lastEventId && !LAST_EVENT_ID.test(lastEventId)) {
          throw new ValidationError([{ field: 'Last-Event-ID', location: 'header', issue: 'invalid', message: 'must be the id of an event from this stream (a sequence number)' }]);
        }
        // The header is what EventSource sends on reconnect, to the same URL: it wins over ?after.
        const after = lastEventId ? Number(lastEventId) : query.after;
        const bearer = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('Authorization'))?.[1] ?? '';
        await streams.serve({ principal, filter, after, bearer }, sseConnection(ctx, settings.retryMs));
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
// The SSE wire

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

/** SSE over the Koa response: the stream service decides what to send, this writes it. */
function sseConnection(ctx: Context, retryMs: number): StreamConnection {
  const res = ctx.res;
  const socket = ctx.req.socket;
  return {
    open() {
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
      res.write(`retry: ${retryMs}\n\n`);
    },
    sendEvent(doc) {
      res.write(frameOf(doc));
      return res.writableLength;
    },
    sendHeartbeat() {
      res.write(': keep-alive\n\n');
      return res.writableLength;
    },
    isGone: () => socket.destroyed || res.destroyed,
    needsDrain: () => res.writableNeedDrain,
    drained: () => drained(res),
    onClose(listener) {
      res.on('close', () => listener('client_closed'));
      res.on('error', () => listener('socket_error'));
    },
    end() {
      if (!res.writableEnded && !res.destroyed) res.end();
    },
    abort: () => res.destroy(),
  };
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
