import type { AgentService } from '../agents/agent-service';
import { ApiError } from '../errors/errors';
import { derivedPrefixedId, newId } from '../ids/ids';
import type { OutboundSimulation } from '../../workflows/call-workflow-types';
import type { CallTimings, CallWorkflowStarter } from './call-ingestion-service';
import type { CallService, CallView } from './call-service';
import { TestCallRequest, withTimes } from './test-call-service';

export interface OutboundCallRequest {
  agent_id: string;
  to_number: string;
  variables?: Record<string, string>;
  scheduled_at?: Date;
  simulation?: Omit<OutboundSimulation, 'turns'> & { turns?: TestCallRequest['turns'] };
}

/** The credit an outbound call holds before it is placed (core/credit). */
export interface OutboundCredit {
  /** Refuses with 402 INSUFFICIENT_CREDIT when the account cannot cover the hold; idempotent per call. */
  holdForCall(accountId: string, callId: string, agentId: string): Promise<void>;
  releaseForCall(accountId: string, callId: string): Promise<void>;
}

/** Calls an agent places: credit is held first, then the call's workflow places it (now or at scheduled_at). */
export class OutboundCallService {
  constructor(
    private readonly agents: AgentService,
    private readonly calls: CallService,
    private readonly workflows: CallWorkflowStarter & { cancel(callId: string): Promise<void> },
    private readonly credit: OutboundCredit,
    private readonly timings: CallTimings,
    private readonly doNotCall?: { isListed(accountId: string, number: string): Promise<boolean> },
  ) {}

  async place(accountId: string, request: OutboundCallRequest, seed?: { key: string; claimedAt: Date }): Promise<CallView & { call_id: string }> {
    const agent = await this.agents.find(accountId, request.agent_id);
    if (agent.status !== 'active' || !agent.phone_number) {
      throw new ApiError('CONFLICT', 'Only an active agent with a phone number places calls.', { details: [{ field: 'agent_id', issue: 'agent_not_live', message: `the agent is ${agent.status}` }] });
    }
    if (request.simulation && agent.platform !== 'local') {
      throw new ApiError('VALIDATION_ERROR', 'simulation is for agents on the local platform only.', { details: [{ field: 'simulation', issue: 'not_local', message: `the agent is on ${agent.platform}, which places real calls` }] });
    }
    if (await this.doNotCall?.isListed(accountId, request.to_number)) {
      throw new ApiError('DO_NOT_CALL', 'The number is on this account’s do-not-call list.', { details: [{ field: 'to_number', issue: 'do_not_call', message: `${request.to_number} is on the do-not-call list` }] });
    }
    // Under an Idempotency-Key the same call ID, so a re-run after a crash lands on the same call and hold.
    const callId = seed ? derivedPrefixedId('call', seed.claimedAt.getTime(), accountId, seed.key, 'outbound') : newId('call');
    await this.credit.holdForCall(accountId, callId, agent._id);
    try {
      await this.calls.createPending({
        callId,
        accountId,
        agentId: agent._id,
        platform: agent.platform,
        platformCallId: null,
        direction: 'outbound',
        test: false,
        fromNumber: agent.phone_number,
        toNumber: request.to_number,
      });
      await this.workflows.start({
        callId,
        accountId,
        agentId: agent._id,
        ...this.timings,
        outbound: { toNumber: request.to_number, variables: request.variables ?? {}, scheduledAt: request.scheduled_at?.toISOString() ?? null, simulation: simulationOf(request.simulation) },
      });
    } catch (err) {
      // Nothing was started: the credit goes back (a keyed retry holds it again under the same key).
      if (!seed) await this.credit.releaseForCall(accountId, callId).catch(() => undefined);
      throw err;
    }
    return { ...(await this.calls.get(accountId, callId)), call_id: callId };
  }

  /** Only a call not yet placed can be canceled; one ringing or live runs to its end. */
  async cancel(accountId: string, callId: string): Promise<CallView> {
    const call = await this.calls.get(accountId, callId);
    if (call.direction !== 'outbound' || call.status !== 'queued') {
      throw new ApiError('CONFLICT', 'Only a queued or scheduled outbound call can be canceled.', { details: [{ field: 'id', issue: 'not_cancelable', message: `the call is ${call.direction} and ${call.status}` }] });
    }
    await this.workflows.cancel(callId);
    return call;
  }
}

function simulationOf(s: OutboundCallRequest['simulation']): OutboundSimulation | null {
  if (!s) return null;
  return { outcome: s.outcome, ...(s.duration_seconds !== undefined ? { duration_seconds: s.duration_seconds } : {}), ...(s.turns ? { turns: withTimes(s.turns) } : {}) };
}
