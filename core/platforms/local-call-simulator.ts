import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, Model, Schema } from 'mongoose';
import { insertOnce } from '../db/database';
import { DocOf, field } from '../db/schema-types';
import type { SealedSecret, SecretBox } from '../secrets/secret-box';
import type { CallStatus, TranscriptTurn } from '../calls/call-types';
import { signLocalNotification } from '../calls/notifications/local-notifications';

/**
 * The local platform's side of a call: it tells our ingestion route about its calls the way a
 * real platform does — an HTTP POST signed with a secret of the account's — so the offline path
 * (demos, test calls, tests) is the production path.
 */
const localSecretFields = {
  /** The account ID: one signing secret per account. */
  _id: { type: String, required: true },
  sealed: { type: field.mixed<SealedSecret>(), required: true },
  created_at: { type: Date, required: true },
};
export type LocalNotificationSecretDoc = DocOf<typeof localSecretFields>;
const localSecretSchema = new Schema<LocalNotificationSecretDoc>(localSecretFields, { versionKey: false, collection: 'local_platform_secrets' });

export function localNotificationSecretModel(connection: Connection): Model<LocalNotificationSecretDoc> {
  return connection.models.LocalNotificationSecret ?? connection.model<LocalNotificationSecretDoc>('LocalNotificationSecret', localSecretSchema);
}

const PURPOSE = 'local-platform-notifications';

/** The account's local-platform signing secret: made by whoever asks first, sealed at rest. */
export class LocalNotificationSecrets {
  constructor(
    private readonly secrets: Model<LocalNotificationSecretDoc>,
    private readonly box: SecretBox,
  ) {}

  async get(accountId: string): Promise<string> {
    let doc = await this.secrets.findById(accountId).lean<LocalNotificationSecretDoc>();
    if (!doc) {
      const sealed = await this.box.seal(randomBytes(32).toString('base64url'), { accountId, purpose: PURPOSE });
      doc = await insertOnce(this.secrets, { _id: accountId, sealed, created_at: new Date() });
    }
    return this.box.open(doc.sealed, { accountId, purpose: PURPOSE });
  }
}

export interface SimulatedCall {
  accountId: string;
  /** The local platform's own call ID (`lsim_…`). */
  platformCallId: string;
  platformAgentId: string;
  direction: 'inbound' | 'outbound';
  fromNumber: string | null;
  toNumber: string | null;
  status: CallStatus;
  startedAt: Date;
  endedAt: Date;
  turns: TranscriptTurn[];
}

/** How a simulated outbound call goes (POST /v2/calls `simulation`). */
export interface LocalOutboundSimulation {
  outcome: 'answered' | 'no_answer' | 'busy' | 'failed';
  /** Talk time of an answered call; default: the end of its last turn, else DEFAULT_SIMULATED_CALL_SECONDS. */
  duration_seconds?: number;
  /** What was said on an answered call; default: a short generic exchange. */
  turns?: TranscriptTurn[];
}

export interface OutboundSimulatedCall {
  accountId: string;
  platformCallId: string;
  platformAgentId: string;
  fromNumber: string | null;
  toNumber: string;
  startedAt: Date;
}

export const DEFAULT_SIMULATED_CALL_SECONDS = 60;

const OUTCOME_STATUS = { answered: 'completed', no_answer: 'no_answer', busy: 'busy', failed: 'failed' } as const satisfies Record<
  LocalOutboundSimulation['outcome'],
  CallStatus
>;

/** The simulated call's length in (simulated) seconds: talk time when answered, 0 otherwise (nobody spoke). */
export function simulatedCallSeconds(simulation: LocalOutboundSimulation): number {
  if (simulation.outcome !== 'answered') return 0;
  if (simulation.duration_seconds !== undefined && Number.isFinite(simulation.duration_seconds)) return Math.max(0, simulation.duration_seconds);
  const lastEnd = (simulation.turns ?? []).reduce((m, t) => Math.max(m, t.end_seconds ?? 0), 0);
  return lastEnd > 0 ? Math.ceil(lastEnd) : DEFAULT_SIMULATED_CALL_SECONDS;
}

/** An answered call given no turns: a greeting, an answer, a goodbye, spread over the call. */
export function genericOutboundTurns(seconds: number): TranscriptTurn[] {
  const at = (fraction: number) => Math.round(seconds * fraction * 100) / 100;
  return [
    { role: 'agent', text: 'Hi, this is a quick call on behalf of the business. Is now a good time?', start_seconds: at(0), end_seconds: at(0.3) },
    { role: 'caller', text: 'Sure, go ahead.', start_seconds: at(0.35), end_seconds: at(0.5) },
    { role: 'agent', text: 'Thanks, that is everything for today. Goodbye!', start_seconds: at(0.55), end_seconds: at(0.9) },
  ];
}

export class LocalCallSimulator {
  constructor(
    private readonly secrets: LocalNotificationSecrets,
    /** Our ingestion route's base URL (the API's own). */
    private readonly apiBaseUrl: () => string,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * Plays an outbound call placed on the local platform: waits its length scaled by `timeScale`
   * (real ms = duration_seconds × 1000 × timeScale; WFW_LOCAL_CALL_TIME_SCALE, 0 = no wait), then
   * sends the signed end-of-call notification with the outcome's status. The reported times are
   * simulated ones (ended_at = startedAt + duration), whatever the scale. Aborting `signal` stops
   * the wait and the delivery (the sleep rejects with an AbortError).
   */
  async simulateOutbound(call: OutboundSimulatedCall, simulation: LocalOutboundSimulation, timeScale: number, signal?: AbortSignal): Promise<void> {
    const seconds = simulatedCallSeconds(simulation);
    const scale = Number.isFinite(timeScale) && timeScale > 0 ? timeScale : 0;
    const waitMs = Math.round(seconds * 1000 * scale);
    signal?.throwIfAborted();
    if (waitMs > 0) await sleep(waitMs, undefined, { signal });
    const answered = simulation.outcome === 'answered';
    await this.deliverEnded(
      {
        accountId: call.accountId,
        platformCallId: call.platformCallId,
        platformAgentId: call.platformAgentId,
        direction: 'outbound',
        fromNumber: call.fromNumber,
        toNumber: call.toNumber,
        status: OUTCOME_STATUS[simulation.outcome],
        startedAt: call.startedAt,
        endedAt: new Date(call.startedAt.getTime() + seconds * 1000),
        turns: !answered ? [] : simulation.turns && simulation.turns.length > 0 ? simulation.turns : genericOutboundTurns(seconds),
      },
      signal,
    );
  }

  /** Sends the end-of-call notification; the same event ID on a retry, so ingestion dedupes it. */
  async deliverEnded(call: SimulatedCall, signal?: AbortSignal): Promise<void> {
    const body = JSON.stringify({
      type: 'call.ended',
      event_id: `lsev_${call.platformCallId}_ended`,
      call: {
        id: call.platformCallId,
        agent_id: call.platformAgentId,
        direction: call.direction,
        from_number: call.fromNumber,
        to_number: call.toNumber,
        started_at: call.startedAt.toISOString(),
        ended_at: call.endedAt.toISOString(),
        status: call.status,
        turns: call.turns,
      },
    });
    const secret = await this.secrets.get(call.accountId);
    const url = `${this.apiBaseUrl()}/v2/platform-notifications/local/${call.accountId}`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'wfw-local-signature': signLocalNotification(body, secret, new Date()) },
      body,
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new LocalDeliveryFailed(res.status);
  }
}

export class LocalDeliveryFailed extends Error {
  constructor(readonly status: number) {
    super(`the ingestion route answered ${status}`);
    this.name = 'LocalDeliveryFailed';
    // 5xx and 429 may pass; a 4xx means what we sent is wrong and will stay wrong.
  }
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}
