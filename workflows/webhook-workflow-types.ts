export interface DeliverWebhookInput {
  deliveryId: string;
  /** Delays before attempts 2, 3, …; its length + 1 is the number of attempts (5 by default). */
  retryScheduleMs: number[];
  /** The most a Retry-After header may push an attempt back. */
  retryAfterCapMs: number;
}

export interface AttemptResult {
  outcome: 'succeeded' | 'failed' | 'gone' | 'skipped';
  httpStatus: number | null;
  retryAfterSeconds: number | null;
}
