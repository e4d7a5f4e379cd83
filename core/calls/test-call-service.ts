import { ulid } from 'ulid';
import type { AgentService } from '../agents/agent-service';
import { ApiError } from '../errors/errors';
import { hashBase32 } from '../ids/ids';
import type { CallTimings, CallWorkflowStarter } from './call-ingestion-service';
import type { CallService, CallView } from './call-service';
import type { TranscriptTurn } from './call-types';

export interface TestCallRequest {
  turns: { role: 'agent' | 'caller'; text: string; start_seconds?: number; end_seconds?: number }[];
  caller_number?: string;
}

/**
 * A test call runs a written conversation through the whole post-call path — notification,
 * record, transcript, extraction, events — on the local platform, marked test and never billed.
 */
export class TestCallService {
  constructor(
    private readonly agents: AgentService,
    private readonly calls: CallService,
    private readonly workflows: CallWorkflowStarter,
    private readonly timings: CallTimings,
  ) {}

  async start(accountId: string, agentId: string, request: TestCallRequest, seed?: { key: string }): Promise<CallView> {
    const agent = await this.agents.find(accountId, agentId);
    if (agent.status === 'deleting') throw new ApiError('CONFLICT', 'The agent is being deleted.', { details: [{ field: 'id', issue: 'agent_deleting', message: 'test calls need an agent that is not being deleted' }] });
    // Under an Idempotency-Key the same platform call ID, so a re-run after a crash lands on the same call.
    const platformCallId = `lsim_${seed ? hashBase32([accountId, agentId, seed.key], 26) : ulid().toLowerCase()}`;
    const callId = await this.calls.claimCallId(accountId, 'local', platformCallId, new Date());
    await this.calls.createPending({
      callId,
      accountId,
      agentId,
      platform: 'local',
      platformCallId,
      direction: 'inbound',
      test: true,
      fromNumber: request.caller_number ?? null,
      toNumber: agent.phone_number,
    });
    await this.workflows.start({ callId, accountId, agentId, ...this.timings, simulation: { turns: withTimes(request.turns), callerNumber: request.caller_number ?? null } });
    return this.calls.get(accountId, callId);
  }
}

/** Turns without times get a plausible pace (four seconds each), as a platform's transcript would have. */
export function withTimes(turns: TestCallRequest['turns']): TranscriptTurn[] {
  let clock = 0;
  return turns.map((t) => {
    const start = t.start_seconds ?? clock;
    const end = t.end_seconds ?? start + 4;
    clock = end;
    return { role: t.role, text: t.text, start_seconds: start, end_seconds: end };
  });
}
