import { NotFoundError } from '../errors/errors';
import { billableMinutes, type CreditService } from '../credit/credit-service';
import type { OutboundCredit } from './outbound-call-service';
import type { CallBilling } from '../../activities/call-activities';

/**
 * How calls pay, in the ledger's terms: one hold per outbound call (keyed by the call ID, so the
 * API's and a retried activity's writes are the same entry), captured at the real duration;
 * inbound calls charged once at their end. Test calls never reach here.
 */
export class CallCredit implements CallBilling, OutboundCredit {
  constructor(private readonly credit: CreditService) {}

  async holdForCall(accountId: string, callId: string, agentId: string): Promise<void> {
    await this.credit.hold(accountId, holdKey(callId), this.credit.holdMicros(), { callId, agentId });
  }

  async releaseForCall(accountId: string, callId: string): Promise<void> {
    await this.releaseHold(accountId, callId);
  }

  async captureHold(accountId: string, callId: string, agentId: string, durationSeconds: number): Promise<void> {
    await this.credit.capture(accountId, holdKey(callId), this.credit.priceMicros(durationSeconds), { callId, agentId, minutes: billableMinutes(durationSeconds) });
  }

  async releaseHold(accountId: string, callId: string): Promise<void> {
    try {
      await this.credit.release(accountId, holdKey(callId));
    } catch (err) {
      // No hold to give back (a call whose hold was never written): nothing is owed either way.
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  async chargeInbound(accountId: string, callId: string, agentId: string, durationSeconds: number): Promise<void> {
    await this.credit.captureWithoutHold(accountId, `call:${callId}:inbound`, this.credit.priceMicros(durationSeconds), { callId, agentId, minutes: billableMinutes(durationSeconds) });
  }
}

function holdKey(callId: string): string {
  return `call:${callId}:hold`;
}
