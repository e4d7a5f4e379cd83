import { ActivityFailure, ApplicationFailure, condition, defineQuery, defineSignal, patched, proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';
import type { CallActivities } from '../activities/call-activities';
import type { CallNotificationSignal, CallWorkflowInput, CallWorkflowResult } from './call-workflow-types';

// As in agent-workflows.ts: no attempt limits here; each activity decides what is final, and an
// outage of our own database only makes a step wait, up to a generous schedule-to-close.

/** Bookkeeping on our own database, in the worker that runs the workflow (no task round trip). */
const local = proxyLocalActivities<CallActivities>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '1 hour',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** Extraction may be an LLM call. */
const extraction = proxyActivities<CallActivities>({
  startToCloseTimeout: '90 seconds',
  scheduleToCloseTimeout: '1 hour',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Talking to the voice platform (asking for the call) or to our own ingestion route (the simulator). */
const platform = proxyActivities<CallActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export const callNotification = defineSignal<[CallNotificationSignal]>('callNotification');
/** A queued or scheduled outbound call is not placed (POST /v2/calls/{id}/cancel); a placed one runs on. */
export const cancelCall = defineSignal('cancelCall');
export const callStateQuery = defineQuery<{ started: string | null; ended: string | null; stage: string }>('callState');

/**
 * One call, from its first notification to its extractions. The workflow ID is the call ID, so
 * every notification of the call (and every retry of one) lands here; each is acted on once.
 */
export async function handleCall(input: CallWorkflowInput): Promise<CallWorkflowResult> {
  const seen = new Set<string>();
  let started: string | null = null;
  let ended: string | null = null;
  let stage = 'waiting';
  setHandler(callNotification, ({ notificationId, kind }) => {
    if (seen.has(notificationId)) return;
    seen.add(notificationId);
    if (kind === 'ended') ended ??= notificationId;
    else if (kind === 'started') started ??= notificationId;
  });
  setHandler(callStateQuery, () => ({ started, ended, stage }));
  let cancelRequested = false;
  setHandler(cancelCall, () => {
    cancelRequested = true;
  });
  const ref = { callId: input.callId, accountId: input.accountId, agentId: input.agentId };

  if (input.outbound) {
    const plan = input.outbound;
    stage = 'queued';
    const waitMs = plan.scheduledAt ? Date.parse(plan.scheduledAt) - Date.now() : 0;
    if (waitMs > 0) await condition(() => cancelRequested, waitMs);
    if (cancelRequested) {
      await local.endUnplacedCall({ ...ref, status: 'canceled', reason: 'canceled' });
      return { callId: input.callId, status: 'canceled', disposition: null };
    }
    stage = 'placing';
    try {
      const { simulatedMs } = await platform.placeOutboundCall({ ...ref, toNumber: plan.toNumber, variables: plan.variables, simulation: plan.simulation });
      if (simulatedMs !== null) {
        // The local platform: the simulated conversation takes its (scaled) time, then the callee hangs up.
        if (simulatedMs > 0) await sleep(simulatedMs);
        await platform.deliverSimulatedOutcome({ ...ref, toNumber: plan.toNumber, simulation: plan.simulation, simulatedMs });
      }
    } catch (err) {
      // The platform refused the call (a business failure after its retries): it ends failed, its credit released.
      const cause = err instanceof ActivityFailure ? err.cause : err;
      const code = cause instanceof ApplicationFailure ? cause.type ?? 'PLACE_FAILED' : 'PLACE_FAILED';
      await local.endUnplacedCall({ ...ref, status: 'failed', reason: code.toLowerCase() });
      return { callId: input.callId, status: 'failed', disposition: null };
    }
  }

  if (input.simulation) {
    stage = 'placing';
    await platform.placeSimulatedCall({ ...ref, turns: input.simulation.turns, callerNumber: input.simulation.callerNumber });
  }

  // The first signal comes with the start (signal-with-start); a platform that sends only the
  // end-of-call report (ElevenLabs) goes straight to it.
  stage = 'in_progress';
  if (started !== null && ended === null) await local.recordCallStarted({ ...ref, notificationId: started });

  if (!(await condition(() => ended !== null, `${input.endWaitSeconds} seconds`))) {
    // The end-of-call notification never came (lost, or the platform never sent it): ask.
    stage = 'polling';
    for (let i = 0; i < input.maxPolls && ended === null; i++) {
      const polled = await platform.pollPlatformCall(ref);
      if (polled) ended ??= polled;
      else await condition(() => ended !== null, `${input.pollIntervalSeconds} seconds`);
    }
  }
  if (ended === null) {
    stage = 'abandoned';
    await local.abandonCall(ref);
    if (input.outbound && patched('call-billing')) await local.settleCallCredit(ref);
    return { callId: input.callId, status: 'failed', disposition: null };
  }

  stage = 'recording';
  const status = await local.recordCallEnded({ ...ref, notificationId: ended });
  // Histories from before billing have no such step.
  if (patched('call-billing')) await local.settleCallCredit(ref);
  stage = 'extracting';
  let disposition: string | null = null;
  try {
    disposition = (await extraction.extractCall(ref)).disposition;
  } catch (err) {
    // Extraction gave up (an LLM refusing for good, a bug): the call itself still completes and
    // is announced, with its extraction marked failed, rather than the call being lost with it.
    await local.markExtractionFailed(ref);
  }
  stage = 'publishing';
  await local.publishCallOutcome(ref);
  stage = 'done';
  return { callId: input.callId, status, disposition };
}
