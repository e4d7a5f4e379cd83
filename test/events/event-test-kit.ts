import { EventSource } from 'eventsource';
import type { Core } from '../../core/composition-root';
import type { Config } from '../../core/config/config';
import { EventTailer } from '../../core/events/event-tailer';
import { newId } from '../../core/ids/ids';
import { EVENT_TYPES } from '../../core/events/event-types';
import { startApi, ApiHarness } from '../support/api-harness';

/** Short timings so that gap, heartbeat and revocation behaviour shows within a test. */
export const TEST_EVENTS_CONFIG: Config['events'] = { pollIntervalMs: 50, gapGraceMs: 1500, heartbeatMs: 300, authRecheckMs: 400 };

export interface EventApi {
  api: ApiHarness;
  /** The tailer of each API instance (the first, then each sibling), as in production. */
  tailers(): EventTailer[];
  close(): Promise<void>;
}

/** An API instance (and its siblings) serving the event routes with test timings (through the config, as in production). */
export async function startEventApi(label: string, events: Config['events'] = TEST_EVENTS_CONFIG): Promise<EventApi> {
  const cores: Core[] = [];
  const api = await startApi({
    label,
    config: { events },
    extraRoutes: (core: Core) => {
      cores.push(core);
      return [];
    },
  });
  const tailers = () => cores.map((core) => EventTailer.shared(core.models.events));
  return {
    api,
    tailers,
    async close() {
      for (const core of cores) core.eventStream.shutdown();
      await api.close();
    },
  };
}

let counter = 0;
/** Appends an agent.updated event the way the product does (EventLog.append). */
export async function appendAgentEvent(core: Core, accountId: string, agentId = 'agt_01m8h42tjf2497t8a180fbw85f') {
  counter++;
  return core.events.append(
    accountId,
    'agent.updated',
    { agent_id: agentId, operation_id: null, changed_fields: ['voice'], prompt_version: counter },
    { dedupeKey: `test:${counter}:${Math.random()}`, agentId },
  );
}

export function newAgentId(): string {
  return newId('agent');
}

export interface ReceivedEvent {
  id: string;
  type: string;
  data: any;
  at: number;
}

export interface StreamClient {
  events: ReceivedEvent[];
  /** Last-Event-ID headers the client sent, one per (re)connection ('' when none). */
  connects: string[];
  opened(): Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  /** Breaks the connection as a network failure would; EventSource reconnects by itself. */
  dropConnection(): void;
  close(): void;
}

/**
 * An `eventsource` (v3) client: a custom fetch adds the bearer token (and an initial
 * Last-Event-ID), and wraps the body so that the test can cut the connection.
 */
export function openStream(baseUrl: string, path: string, token: string, options: { lastEventId?: string } = {}): StreamClient {
  const events: ReceivedEvent[] = [];
  const connects: string[] = [];
  let cut: (() => void) | undefined;
  let waiters: Array<() => void> = [];
  const notify = () => {
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  };
  const es = new EventSource(`${baseUrl}${path}`, {
    fetch: async (input, init) => {
      const headers: Record<string, string> = { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}` };
      if (!headers['Last-Event-ID'] && options.lastEventId && connects.length === 0) headers['Last-Event-ID'] = options.lastEventId;
      connects.push(headers['Last-Event-ID'] ?? '');
      const res = await fetch(input, { ...init, headers });
      if (!res.body) return res;
      const reader = res.body.getReader();
      let ctrl!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          ctrl = c;
        },
        async pull(c) {
          try {
            const { done, value } = await reader.read();
            if (done) c.close();
            else c.enqueue(value);
          } catch (err) {
            c.error(err);
          }
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      });
      cut = () => {
        ctrl.error(new TypeError('network connection lost'));
        void reader.cancel().catch(() => undefined);
      };
      return new Response(body, { status: res.status, headers: res.headers });
    },
  });
  for (const type of EVENT_TYPES) {
    es.addEventListener(type, (e) => {
      const m = e as MessageEvent;
      events.push({ id: m.lastEventId, type, data: JSON.parse(m.data), at: Date.now() });
      notify();
    });
  }
  let openResolve!: () => void;
  const openPromise = new Promise<void>((r) => (openResolve = r));
  es.addEventListener('open', () => openResolve());
  return {
    events,
    connects,
    opened: () => openPromise,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} events, got ${events.length}: ${JSON.stringify(events.map((e) => e.id))}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return events;
    },
    dropConnection() {
      cut?.();
    },
    close() {
      es.close();
    },
  };
}

/** A raw SSE response read by hand: headers and the text as it arrives. */
export async function openRawStream(baseUrl: string, path: string, token: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers }, signal: controller.signal });
  let text = '';
  let ended = false;
  const decoder = new TextDecoder();
  const reading = (async () => {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    } catch {
      // aborted
    }
    ended = true;
  })();
  return {
    res,
    get text() {
      return text;
    },
    get ended() {
      return ended;
    },
    async until(predicate: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(text)) {
        if (Date.now() > deadline) throw new Error(`stream did not show what was expected in ${timeoutMs} ms; got: ${text.slice(-500)}`);
        if (ended) throw new Error(`stream ended; got: ${text.slice(-500)}`);
        await sleep(20);
      }
      return text;
    },
    async close() {
      controller.abort();
      await reading;
    },
    reading,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}
