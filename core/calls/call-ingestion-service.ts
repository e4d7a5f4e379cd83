import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import type { AccountDoc } from '../accounts/account-model';
import type { AgentDoc } from '../agents/agent-model';
import { ApiError, NotFoundError } from '../errors/errors';
import { crashPoint } from '../faults/crash-points';
import type { PlatformCredentialService } from '../platform-credentials/platform-credential-service';
import type { PlatformName } from '../platforms/platform-adapter';
import type { LocalNotificationSecrets } from '../platforms/local-call-simulator';
import type { CallNotificationSignal, CallWorkflowInput } from '../../workflows/call-workflow-types';
import type { CallService } from './call-service';
import { NotificationRejected, NotificationRequest, notificationReader } from './notifications/platform-notification-reader';

/** Starts (or signals) the call's workflow; its workflow ID is the call ID. */
export interface CallWorkflowStarter {
  /** Signals the running workflow, starting it first if none runs; `closed` when it already finished. */
  signalWithStart(input: CallWorkflowInput, signal: CallNotificationSignal): Promise<'signaled' | 'closed'>;
  start(input: CallWorkflowInput): Promise<void>;
  /** Signals a queued outbound call's workflow not to place it. */
  cancel(callId: string): Promise<void>;
}

export interface CallTimings {
  endWaitSeconds: number;
  pollIntervalSeconds: number;
  maxPolls: number;
}

export interface IngestResult {
  object: 'notification_receipt';
  /** `accepted` the first time, `duplicate` for a platform's retry, `ignored` for events we do not act on. */
  status: 'accepted' | 'duplicate' | 'ignored';
  call_id: string | null;
}

/**
 * The door for voice platforms: checks a notification's signature with the account's secret for
 * that platform, reads it, stores it once and hands it to the call's workflow. Nothing is written
 * before the signature, the payload and the agent are all known to be good.
 */
export class CallIngestionService {
  constructor(
    private readonly deps: {
      calls: CallService;
      accounts: Model<AccountDoc>;
      agents: Model<AgentDoc>;
      credentials: PlatformCredentialService;
      localSecrets: LocalNotificationSecrets;
      workflows: CallWorkflowStarter;
      timings: CallTimings;
      logger: Logger;
    },
  ) {}

  async ingest(platform: PlatformName, accountId: string, request: NotificationRequest): Promise<IngestResult> {
    if (!(await this.deps.accounts.exists({ _id: accountId }))) throw new NotFoundError('account', accountId);
    const secret = await this.secretFor(platform, accountId);
    const reader = notificationReader(platform);
    let notification;
    try {
      reader.verify(request, secret);
      notification = reader.parse(request.rawBody);
    } catch (err) {
      if (err instanceof NotificationRejected) throw notificationRejection(err);
      throw err;
    }
    const call = notification.call;
    if (notification.kind === 'other' || !call) return { object: 'notification_receipt', status: 'ignored', call_id: null };

    // A call we placed ourselves (a test or outbound call) is claimed already; any other belongs
    // to the agent the platform names, which must be one of this account's. An inbound call's
    // claim can also exist with no call record yet (its workflow writes that): a first delivery
    // that died after claiming, or one whose workflow has not run yet — the agent lookup decides.
    let callId = await this.deps.calls.findClaimedCallId(accountId, platform, call.platform_call_id);
    let existing = callId ? await this.deps.calls.find(callId) : null;
    if (!existing && call.our_call_id) {
      // An outbound call of ours the platform tells us about before our placing activity has
      // recorded the platform's ID: the platform echoes our call ID back (metadata), so claim it for that call.
      const ours = await this.deps.calls.find(call.our_call_id);
      if (ours && ours.account_id === accountId && ours.platform === platform && ours.direction === 'outbound') {
        await this.deps.calls.claimCallIdAs(accountId, platform, call.platform_call_id, ours._id);
        existing = ours;
      }
    }
    let agentId: string;
    if (existing) {
      callId = existing._id;
      agentId = existing.agent_id;
    } else {
      const agent = await this.deps.agents.findOne({ platform_agent_id: call.platform_agent_id, account_id: accountId, platform }).lean<AgentDoc>();
      if (!agent || agent.status === 'deleted') {
        if (callId) throw new ApiError('SERVICE_UNAVAILABLE', 'The call is still being set up; retry shortly.', { retryAfterSeconds: 2 });
        throw new ApiError('NOT_FOUND', 'No agent of this account has that platform agent ID.', {
          details: [{ field: 'agent_id', issue: 'unknown_agent', message: 'the notification names an agent this account does not have on this platform' }],
        });
      }
      agentId = agent._id;
      // Idempotent: a claim made before is returned as it is.
      callId = await this.deps.calls.claimCallId(accountId, platform, call.platform_call_id, call.started_at);
    }

    const stored = await this.deps.calls.storeNotification(accountId, callId, notification, request.rawBody.toString('utf8'));
    crashPoint('call.notification-stored');
    // Signalled on every delivery, not only fresh ones: a crash between the store and the signal
    // is repaired by the platform's retry. The workflow acts on each notification ID once.
    const outcome = await this.deps.workflows.signalWithStart({ callId, accountId, agentId, ...this.deps.timings }, { notificationId: stored.id, kind: notification.kind });
    const status = stored.fresh && outcome === 'signaled' ? 'accepted' : 'duplicate';
    this.deps.logger.info({ platform, account_id: accountId, call_id: callId, event_type: notification.event_type, receipt: status }, 'platform notification');
    return { object: 'notification_receipt', status, call_id: callId };
  }

  private async secretFor(platform: PlatformName, accountId: string): Promise<string> {
    if (platform === 'local') return this.deps.localSecrets.get(accountId);
    return notificationSecretOf(this.deps.credentials, platform, accountId);
  }
}

/** The account's secret for a platform's deliveries (the KB server of Vapi checks with it too); PLATFORM_NOT_CONFIGURED without one. */
export async function notificationSecretOf(credentials: PlatformCredentialService, platform: Exclude<PlatformName, 'local'>, accountId: string): Promise<string> {
  const secret = await credentials.notificationSecret(accountId, platform);
  if (!secret) {
    throw new ApiError('PLATFORM_NOT_CONFIGURED', `The account has no ${platform} notification secret to verify this with.`, {
      details: [{ field: 'platform', issue: 'no_secret', message: `store the ${platform} credentials${platform === 'retell' ? '' : ' with webhook_secret'} (PUT /v2/platform-credentials/${platform})` }],
    });
  }
  return secret;
}

/** A platform delivery refused by its reader, as the API answers it (401 INVALID_SIGNATURE, 400 INVALID_NOTIFICATION). */
export function notificationRejection(err: NotificationRejected): ApiError {
  if (err.reason === 'malformed') {
    return new ApiError('INVALID_NOTIFICATION', 'The notification body is not a call event this platform sends.', { details: [{ field: 'body', issue: 'malformed', message: err.message }] });
  }
  const messages = { unsigned: 'The notification carries no signature.', bad_signature: 'The notification signature does not verify.', stale: 'The notification timestamp is outside the accepted window.' } as const;
  return new ApiError('INVALID_SIGNATURE', messages[err.reason], { details: [{ field: 'signature', issue: err.reason, message: err.message }] });
}
