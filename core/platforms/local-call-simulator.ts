import { randomBytes } from 'node:crypto';
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

export class LocalCallSimulator {
  constructor(
    private readonly secrets: LocalNotificationSecrets,
    /** Our ingestion route's base URL (the API's own). */
    private readonly apiBaseUrl: () => string,
    private readonly timeoutMs = 10_000,
  ) {}

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
