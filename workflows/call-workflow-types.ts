import type { TranscriptTurn } from '../core/calls/call-types';

export type CallNotificationKind = 'started' | 'ended' | 'other';

/** Sent by the ingestion route for every stored platform notification of the call. */
export interface CallNotificationSignal {
  notificationId: string;
  kind: CallNotificationKind;
}

export interface CallWorkflowInput {
  callId: string;
  accountId: string;
  agentId: string;
  /**
   * How long to wait for the end-of-call notification after the call began before asking the
   * platform's call API instead, then how often and how many times to ask.
   */
  endWaitSeconds: number;
  pollIntervalSeconds: number;
  maxPolls: number;
  /** A test call: the local simulator places it (sends its signed end-of-call notification). */
  simulation?: { turns: TranscriptTurn[]; callerNumber: string | null };
  /** An outbound call: placed through the platform (credit already held), at `scheduledAt` if set. */
  outbound?: OutboundCallPlan;
}

export interface OutboundSimulation {
  outcome: 'answered' | 'no_answer' | 'busy' | 'failed';
  duration_seconds?: number;
  turns?: TranscriptTurn[];
}

export interface OutboundCallPlan {
  toNumber: string;
  variables: Record<string, string>;
  /** ISO time; null places it at once. */
  scheduledAt: string | null;
  /** Local platform only: how the simulated callee behaves. */
  simulation: OutboundSimulation | null;
}

export interface CallWorkflowResult {
  callId: string;
  status: string;
  disposition: string | null;
}
