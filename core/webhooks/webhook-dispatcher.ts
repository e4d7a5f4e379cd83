import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import type { EventLog } from '../events/event-log';
import { toEnvelope } from '../events/event-log';
import type { EventDoc, OutboxEntryDoc } from '../events/event-model';
import type { WebhookSubscriptionDoc } from './webhook-model';
import type { WebhookService, WebhookWorkflowStarter } from './webhook-service';

/** An outbox entry whose event is still missing after this long lost its writer for good. */
const ORPHAN_AFTER_MS = 10 * 60 * 1000;
/** Events this process wrote and has not dispatched yet, kept to skip re-reading them (bounded). */
const MAX_KNOWN_WRITTEN = 10_000;

/**
 * The outbox relay: turns outbox entries into deliveries and starts one workflow per delivery.
 * Safe to run in every worker at once and to crash anywhere — deliveries and workflows are keyed
 * by (event, subscription), and an entry is deleted only after its workflows were started.
 * Events written in this process kick it at once; the poll (WFW_OUTBOX_POLL_MS) catches the
 * other processes' and reads only the outbox, which holds just the undispatched events.
 */
export class WebhookDispatcher {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  /**
   * Events this process appended, as stored: the relay dispatches them without reading each back
   * from the log (one read per event was most of its cost in a batch). Others' events are read.
   */
  private readonly written = new Map<string, EventDoc>();
  private readonly onAppend = (doc: EventDoc) => {
    if (this.written.size >= MAX_KNOWN_WRITTEN) this.written.delete(this.written.keys().next().value as string);
    this.written.set(doc._id, doc);
    this.kick();
  };

  constructor(
    private readonly outbox: Model<OutboxEntryDoc>,
    private readonly events: Model<EventDoc>,
    private readonly subscriptions: Model<WebhookSubscriptionDoc>,
    private readonly webhooks: WebhookService,
    private readonly workflows: WebhookWorkflowStarter,
    private readonly eventLog: EventLog,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.stopped = false;
    this.eventLog.appended.on('appended', this.onAppend);
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.eventLog.appended.off('appended', this.onAppend);
    if (this.timer) clearInterval(this.timer);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.drain()
      .catch((err) => this.logger.warn({ err }, 'webhook dispatch pass failed; will retry'))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private forgetDispatchedElsewhere(pending: Set<string>, readAt: number): void {
    for (const [id, doc] of this.written) if (!pending.has(id) && doc.created_at.getTime() < readAt) this.written.delete(id);
  }

  /** Dispatches until the outbox is empty (or holds only entries still being written); returns how many events it handled. */
  async drain(batch = 200): Promise<number> {
    let handled = 0;
    for (;;) {
      const readAt = Date.now();
      const entries = await this.outbox.find({}).sort({ _id: 1 }).limit(batch).lean<OutboxEntryDoc[]>();
      // The whole outbox was read: what we wrote earlier and it no longer holds was dispatched by another worker.
      if (entries.length < batch) this.forgetDispatchedElsewhere(new Set(entries.map((e) => e._id)), readAt);
      if (entries.length === 0) return handled;
      // The entry is written just before its event: dispatch what the log really holds, as it
      // holds it (a writer that met a sequence collision rewrote the event after the entry).
      const written = await Promise.all(entries.map((e) => this.written.get(e._id) ?? this.events.findById(e._id).lean<EventDoc>()));
      const ready = written.filter((e): e is EventDoc => e !== null);
      const orphans = entries.filter((e, i) => !written[i] && Date.now() - e.created_at.getTime() > ORPHAN_AFTER_MS);
      const byAccount = new Map<string, WebhookSubscriptionDoc[]>();
      for (const accountId of new Set(ready.map((e) => e.account_id))) {
        byAccount.set(accountId, await this.subscriptions.find({ account_id: accountId, enabled: true, deleted_at: null }).lean<WebhookSubscriptionDoc[]>());
      }
      await Promise.all(
        ready.map(async (event) => {
          const targets = (byAccount.get(event.account_id) ?? []).filter(
            (s) =>
              (s.event_types.length === 0 || s.event_types.includes(event.type)) &&
              (!s.agent_id || s.agent_id === event.agent_id) &&
              // A subscription receives what happens after it exists, not the account's history.
              s.created_at <= event.created_at,
          );
          for (const sub of targets) {
            const delivery = await this.webhooks.ensureDelivery(sub, toEnvelope(event));
            await this.workflows.startDelivery(delivery._id, delivery.account_id);
          }
        }),
      );
      // Only after every start above succeeded (a failure throws before this line).
      const done = [...ready, ...orphans].map((e) => e._id);
      if (orphans.length) this.logger.warn({ event_ids: orphans.map((e) => e._id) }, 'dropping outbox entries whose event was never written');
      if (done.length) await this.outbox.deleteMany({ _id: { $in: done } });
      for (const id of done) this.written.delete(id);
      handled += ready.length;
      // Entries still waiting for their event are retried on the next kick or poll, not in a loop.
      if (entries.length < batch || done.length === 0) return handled;
    }
  }
}
