import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal';
import type { TokenService } from '../auth/token-service';
import { ApiError } from '../errors/errors';
import type { Page } from '../pagination/pagination';
import type { QuotaService } from '../quotas/quota-service';
import { EventFeed, EventFilter, matchesFilter, StreamEnvelope } from './event-feed';
import type { EventDoc, EventSequenceDoc } from './event-model';
import { mayReadEventType } from './event-scopes';
import { EventSequencer } from './event-sequencer';
import { EventTailer } from './event-tailer';

export interface EventStreamSettings {
  /** Poll period of the process's EventTailer, when the service creates it. */
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

export interface EventStreamDeps {
  events: Model<EventDoc>;
  sequences: Model<EventSequenceDoc>;
  /**
   * The process's one tailer. Default: EventTailer.shared(events), started here. Stopping it
   * (server shutdown) ends every open stream cleanly; clients resume on another instance.
   */
  tailer?: EventTailer;
  /** Long-lived streams re-check their credentials with it. Without it they do not. */
  tokens?: TokenService;
  logger?: Logger;
  settings?: Partial<EventStreamSettings>;
  /** Each stream holds one of its account's slots (429 QUOTA_EXCEEDED when none is free). */
  quotas?: Pick<QuotaService, 'acquireStreamSlot'>;
}

/**
 * The transport a stream writes to (SSE over HTTP in the API). It formats and writes; the service
 * decides what is sent and when, and drops a client that does not read.
 */
export interface StreamConnection {
  /** Called once the cursor is settled: until then a failure can still be answered as an HTTP error. */
  open(): void;
  /** Writes one event; returns the bytes the client has not taken yet. */
  sendEvent(doc: EventDoc): number;
  /** Writes a keep-alive; returns the bytes the client has not taken yet. */
  sendHeartbeat(): number;
  isGone(): boolean;
  needsDrain(): boolean;
  /** Resolves when the connection can take more, or is gone. */
  drained(): Promise<void>;
  onClose(listener: (reason: 'client_closed' | 'socket_error') => void): void;
  /** Ends the response cleanly, if it is still open. */
  end(): void;
  /** Drops the connection without a clean end. */
  abort(): void;
}

export interface StreamRequest {
  principal: Principal;
  filter: EventFilter;
  /** Resume after this sequence (replay, then live); undefined: live only. */
  after: number | undefined;
  /** The credential the stream re-checks while it lasts. */
  bearer: string;
}

/** Reads of the event log for clients: pages of it, and live streams that resume without gaps or duplicates. */
export class EventStreamService {
  readonly settings: EventStreamSettings;
  private readonly feed: EventFeed;
  private readonly tailer: EventTailer;

  constructor(private readonly deps: EventStreamDeps) {
    this.settings = { ...DEFAULT_STREAM_SETTINGS, ...deps.settings };
    this.feed = new EventFeed(deps.events, deps.sequences, { gapGraceMs: this.settings.gapGraceMs });
    this.tailer = (deps.tailer ?? EventTailer.shared(deps.events, { intervalMs: this.settings.pollIntervalMs, logger: deps.logger })).start();
  }

  /** Server shutdown: stops the tailer, which ends every open stream cleanly (clients resume on another instance). */
  shutdown(): void {
    this.tailer.stop();
  }

  list(accountId: string, filter: EventFilter, page: { limit: number; cursor?: string; after?: number }): Promise<Page<StreamEnvelope>> {
    return this.feed.list(accountId, filter, page);
  }

  /** Streams being served by this instance now (the API's wfw_api_open_event_streams gauge). */
  get openStreams(): number {
    return this.serving;
  }

  private serving = 0;

  /** Serves one stream until the client goes away, holding one of the account's stream slots meanwhile. */
  async serve(request: StreamRequest, connection: StreamConnection): Promise<void> {
    const accountId = request.principal.accountId;
    const slot = await this.deps.quotas?.acquireStreamSlot(accountId);
    this.serving++;
    try {
      await this.stream(request, connection);
    } finally {
      this.serving--;
      await slot?.release().catch((err: unknown) => this.deps.logger?.warn({ err, account_id: accountId }, 'event stream slot not freed (it expires)'));
    }
  }

  /**
   * Order of things, so that nothing is lost or doubled at the switch from replay to live:
   *   1. subscribe to the tailer (events arriving from now on are kept);
   *   2. settle the cursor: Last-Event-ID / after, or the account's current sequence for "live only";
   *   3. replay everything after the cursor from the database, in pages (only when resuming);
   *   4. live: tailer events go through the same sequencer, which drops what replay already sent.
   * The sequencer delivers strictly by seq and holds events behind a hole (see EventSequencer).
   */
  private async stream({ principal, filter, after, bearer }: StreamRequest, connection: StreamConnection): Promise<void> {
    const { accountId } = principal;
    const { feed, tailer, settings } = this;
    const logger = this.deps.logger;
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

    connection.open();

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
      connection.end();
      logger?.debug({ account_id: accountId, reason, sent, position: sequencer?.position }, 'event stream closed');
      finish();
    };

    const write = (send: () => number) => {
      if (closed) return;
      if (send() > settings.maxBufferedBytes) {
        // The client does not keep up; it resumes from its Last-Event-ID without costing our memory.
        connection.abort();
        close('slow_client');
      }
    };

    connection.onClose(close);
    cancelOnStop = tailer.onStop(() => close('server_shutdown'));
    // Gone while we looked up the cursor, or the tailer stopped meanwhile: 'close' will not come again.
    if (connection.isGone()) close('client_closed');
    else if (!tailer.isRunning) close('server_shutdown');
    if (closed) return;

    sequencer = new EventSequencer(cursor, {
      gapGraceMs: settings.gapGraceMs,
      fill: (from, to) => feed.range(accountId, from, to),
      emit: (doc) => {
        if (!matchesFilter(doc, filter, filterTypes)) return;
        sent++;
        write(() => connection.sendEvent(doc));
      },
      onSkip: (from, to) => logger?.warn({ account_id: accountId, from_seq: from, to_seq: to - 1 }, 'event stream skipped a permanent gap in the sequence'),
      onError: (err) => logger?.warn({ err, account_id: accountId }, 'event stream could not fill a gap'),
    });
    sequencer.pause();
    for (const doc of early.splice(0)) sequencer.offer(doc);

    timers.push(setInterval(() => write(() => connection.sendHeartbeat()), settings.heartbeatMs));
    const tokens = this.deps.tokens;
    if (tokens) {
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
        if (connection.needsDrain() && !closed) await connection.drained();
      }
      sequencer.resume();
    } catch (err) {
      logger?.warn({ err, account_id: accountId }, 'event stream replay failed');
      close('replay_failed'); // the client reconnects with its Last-Event-ID
    }
    await done;
  }
}
