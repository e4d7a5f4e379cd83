import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import type { EventLog } from '../events/event-log';
import { toEnvelope } from '../events/event-log';
import type { EventDoc } from '../events/event-model';
import type { WebhookSubscriptionDoc } from './webhook-model';
import type { WebhookService, WebhookWorkflowStarter } from './webhook-service';

/**
 * The outbox relay: turns undispatched events into deliveries and starts one workflow per
 * delivery. Safe to run in every worker at once and to crash anywhere — deliveries and
 * workflows are keyed by (event, subscription), and an event is marked dispatched only after
 * its workflows were started.
 */
export class WebhookDispatcher {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly onAppend = () => this.kick();

  constructor(
    private readonly events: Model<EventDoc>,
    private readonly subscriptions: Model<WebhookSubscriptionDoc>,
    private readonly webhooks: WebhookService,
    private readonly workflows: WebhookWorkflowStarter,
    private readonly eventLog: EventLog,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
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

  /** Dispatches until no undispatched events remain; returns how many events it handled. */
  async drain(batch = 200): Promise<number> {
    let handled = 0;
    for (;;) {
      const pending = await this.events.find({ dispatched_at: null }).sort({ _id: 1 }).limit(batch).lean<EventDoc[]>();
      if (pending.length === 0) return handled;
      const byAccount = new Map<string, WebhookSubscriptionDoc[]>();
      for (const accountId of new Set(pending.map((e) => e.account_id))) {
        byAccount.set(accountId, await this.subscriptions.find({ account_id: accountId, enabled: true, deleted_at: null }).lean<WebhookSubscriptionDoc[]>());
      }
      await Promise.all(
        pending.map(async (event) => {
          const targets = (byAccount.get(event.account_id) ?? []).filter(
            (s) =>
              (s.event_types.length === 0 || s.event_types.includes(event.type)) &&
              (!s.agent_id || s.agent_id === event.agent_id) &&
              // A subscription receives what happens after it exists, not the account's history.
              s.created_at <= event.created_at,
          );
          for (const sub of targets) {
            const delivery = await this.webhooks.ensureDelivery(sub, toEnvelope(event));
            await this.workflows.startDelivery(delivery._id);
          }
        }),
      );
      // Only after every start above succeeded (a failure throws before this line).
      await this.events.updateMany({ _id: { $in: pending.map((e) => e._id) } }, { $set: { dispatched_at: new Date() } });
      handled += pending.length;
      if (pending.length < batch) return handled;
    }
  }
}
