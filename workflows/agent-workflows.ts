import { ActivityCancellationType, ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, defineQuery, isCancellation, patched, proxyActivities, proxyLocalActivities, setHandler, TimeoutFailure, upsertSearchAttributes } from '@temporalio/workflow';
import type { AgentActivities } from '../activities/agent-activities';
import { WfwStatus, WfwStatusValue } from '../core/temporal/search-attributes';
import type { CompensationFailure, DeleteAgentInput, OperationFailureInfo, ProvisionAgentInput, ProvisionAgentResult, UpdateAgentInput, WorkflowProgress } from './agent-workflow-types';

// Every (non-local) activity heartbeats every 2 s (activities/activity-errors.ts), so a 5 s
// heartbeat timeout means a killed worker's activity is retried elsewhere within seconds.
//
// No attempt limits here: each activity gives a retryable business failure its own number of
// tries and then fails for good (asActivity), while an outage of our own database or of Temporal
// only makes the step wait — up to the generous schedule-to-close — instead of failing a
// customer's operation.

/** Bookkeeping on our own database: quick. */
const BOOKKEEPING = {
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
} as const;

/** Prompt generation (possibly an LLM call). */
const GENERATION = {
  startToCloseTimeout: '90 seconds',
  scheduleToCloseTimeout: '30 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const;

/**
 * Local activities run in the worker that runs the workflow, inside its workflow task, so they
 * cost no activity-task round trip through the server. Used for what only touches our database
 * and the generator: a crashed worker's workflow task moves to another worker, which runs them
 * again (they are idempotent). Longer backoffs than the threshold become timers.
 */
const LOCAL = { localRetryThreshold: '10 seconds' } as const;

/**
 * What each step does, in words: the Temporal UI shows it on the step's event (the activity
 * `summary`, user metadata of the schedule command: replay does not compare it, so histories from
 * before it replay unchanged). Undo steps say so by their proxy's prefix.
 */
const STEP_SUMMARIES: Partial<Record<keyof AgentActivities, string>> = {
  researchBusiness: 'Research the business site (crawl, facts, suggested template)',
  generateAgentConfig: 'Write the prompt, first message and knowledge base',
  deployAgent: 'Deploy the agent to the voice platform',
  assignPhoneNumber: 'Buy or assign a phone number and attach it',
  deployAndAssignNumber: 'Deploy the agent to the voice platform, then buy or assign a phone number and attach it',
  activateAgent: 'Go live: mark the agent and the operation active',
  skipStep: 'Skip a step that has nothing to do',
  pushToPlatform: 'Push the new prompt version to the platform',
  finalizeUpdate: 'Make the new prompt version current',
  finalizeDelete: 'Mark the agent deleted',
  removePlatformAgent: 'Delete the agent on the voice platform',
  releasePhoneNumber: 'Release the phone number',
  restorePlatformAgent: 'Put the current prompt version back on the platform',
  failProvisioning: 'Record the provisioning as failed or canceled',
  failChange: 'Record the change as failed',
};

const UNDO_ACTIVITIES = new Set(['removePlatformAgent', 'releasePhoneNumber', 'restorePlatformAgent']);

/** A proxy whose activities carry their STEP_SUMMARIES entry as the activity summary (undo steps prefixed). */
function summarized<P>(make: (summary: string | undefined) => P, prefix = ''): P {
  const byName = new Map<string, unknown>();
  return new Proxy({} as object, {
    get(_, name) {
      if (typeof name !== 'string') return undefined;
      if (!byName.has(name)) {
        const summary = STEP_SUMMARIES[name as keyof AgentActivities];
        const undoing = prefix && UNDO_ACTIVITIES.has(name);
        byName.set(name, (make(summary && (undoing ? prefix + summary : summary)) as Record<string, unknown>)[name]);
      }
      return byName.get(name);
    },
  }) as P;
}

const bookkeeping = summarized((summary) => proxyActivities<AgentActivities>({ ...BOOKKEEPING, heartbeatTimeout: '5 seconds', summary }));
const localBookkeeping = summarized((summary) => proxyLocalActivities<AgentActivities>({ ...BOOKKEEPING, ...LOCAL, summary }));

/** Crawling a business site: the crawler has its own 20 s budget; a down site gets a few tries. */
const research = summarized((summary) =>
  proxyActivities<AgentActivities>({
    startToCloseTimeout: '60 seconds',
    scheduleToCloseTimeout: '30 minutes',
    heartbeatTimeout: '5 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '20 seconds' },
    summary,
  }),
);

const generation = summarized((summary) => proxyActivities<AgentActivities>({ ...GENERATION, heartbeatTimeout: '5 seconds', summary }));
const localGeneration = summarized((summary) => proxyLocalActivities<AgentActivities>({ ...GENERATION, ...LOCAL, summary }));

/**
 * Calls with side effects on a provider. On cancel we wait for an in-flight call to finish, so
 * the compensation that follows sees what it created.
 */
const PROVIDER_CALLS = {
  startToCloseTimeout: '60 seconds',
  scheduleToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const;

const provider = summarized((summary) => proxyActivities<AgentActivities>({ ...PROVIDER_CALLS, summary }));

/**
 * Deploy and number in one activity: each attempt may make four provider calls (up to 15 s each),
 * so it gets the time two steps had; a timed-out attempt still running beside its retry could
 * otherwise buy a second number.
 */
const providerSteps = summarized((summary) => proxyActivities<AgentActivities>({ ...PROVIDER_CALLS, startToCloseTimeout: '120 seconds', summary }));

/** Removing things must not give up easily: a leaked number costs money every month. */
const PERSISTENT_REMOVAL = {
  startToCloseTimeout: '60 seconds',
  scheduleToCloseTimeout: '2 hours',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

/** Undo of a provisioning or an update. */
const compensation = summarized((summary) => proxyActivities<AgentActivities>({ ...PERSISTENT_REMOVAL, summary }), 'Undo: ');

/** Deprovisioning's forward steps: the same provider calls as undo, but steps of their own, not compensations. */
const deprovision = summarized((summary) => proxyActivities<AgentActivities>({ ...PERSISTENT_REMOVAL, summary }));

export const progressQuery = defineQuery<WorkflowProgress>('progress');

/**
 * WfwStatus follows the operation, for operators searching the Temporal UI. A new command, so
 * histories recorded before it replay without it (the patch marker goes with the first upsert).
 */
function setOpsStatus(status: WfwStatusValue): void {
  if (patched('ops-search-attributes')) upsertSearchAttributes([{ key: WfwStatus, value: status }]);
}

/**
 * The step an activity that runs two steps says it failed (or was canceled) in: in the failure's
 * details, or for a timeout in its last heartbeat's or its last attempt's failure.
 */
function namedStep(failure: unknown): string | undefined {
  if (failure instanceof TimeoutFailure) {
    const beat = (failure.lastHeartbeatDetails as { step?: unknown } | undefined)?.step;
    return typeof beat === 'string' ? beat : namedStep(failure.cause);
  }
  const named = failure instanceof ApplicationFailure || failure instanceof CancelledFailure ? (failure.details?.[0] as { step?: unknown } | undefined)?.step : undefined;
  return typeof named === 'string' ? named : undefined;
}

/** An undo that cannot have anything to undo: the merged step failed in its deploy half, so no number was ever bought. */
function failedBeforeNumber(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  // Only what the attempt said as it failed (a heartbeat may be older than the attempt's last move).
  return (cause instanceof ApplicationFailure || cause instanceof CancelledFailure) && namedStep(cause) === 'deploy';
}

function describeFailure(err: unknown, step: string | null): OperationFailureInfo {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (isCancellation(err)) return { code: 'CANCELED', message: 'The operation was canceled.', retryable: false, step: namedStep(cause) ?? step };
  if (cause instanceof ApplicationFailure) {
    return { code: cause.type ?? 'ACTIVITY_FAILED', message: cause.message, retryable: !cause.nonRetryable, step: namedStep(cause) ?? step };
  }
  // Anything else is ours (a timeout, a bug): our code and a plain message, never a dependency's text.
  if (cause instanceof TimeoutFailure) {
    const timedOut = namedStep(cause) ?? step;
    return { code: 'STEP_TIMED_OUT', message: `The ${timedOut ?? 'operation'} step did not finish in time.`, retryable: true, step: timedOut };
  }
  return { code: 'INTERNAL_ERROR', message: 'The operation failed on an internal error.', retryable: true, step };
}

/**
 * Runs every undo whatever the others do (the saga pattern: one failed cleanup must not keep the
 * next from running, nor keep the operation from ending) and names each one that failed, by the
 * step it undoes and our code, never the provider's text.
 */
async function runCompensations(undo: { step: string; run: () => Promise<unknown> }[]): Promise<CompensationFailure[]> {
  // One after the other, newest first, each whatever the others did. Not concurrently: every undo
  // writes the same agent document, and FerretDB applies an update as a read and a write of the
  // whole document, so two at once can lose one's fields.
  const failures: CompensationFailure[] = [];
  for (const u of undo) {
    try {
      await u.run();
    } catch (err) {
      const { code } = describeFailure(err, u.step);
      failures.push({ step: u.step, code, message: `Undoing the ${u.step} step failed; what it created may still exist on the provider.` });
    }
  }
  return failures;
}

/**
 * One business, one agent: research the site, write the prompt and knowledge base, deploy to the
 * voice platform, get a number, go live. Anything that fails after a side effect is undone.
 */
export async function provisionAgent(input: ProvisionAgentInput): Promise<ProvisionAgentResult> {
  const progress: WorkflowProgress = { step: null, completed: [], compensating: false };
  setHandler(progressQuery, () => progress);
  const undo: { step: string; run: () => Promise<unknown>; skip?: (err: unknown) => boolean }[] = [];
  const ref = { operationId: input.operationId, agentId: input.agentId };
  const run = async <T>(step: string, body: () => Promise<T>): Promise<T> => {
    progress.step = step;
    const result = await body();
    progress.completed.push(step);
    return result;
  };

  try {
    await run('research', () => research.researchBusiness(ref));
    const generate = patched('local-generation') ? localGeneration.generateAgentConfig : generation.generateAgentConfig;
    const { version } = await run('generate', () => generate(ref));
    undo.unshift({ step: 'deploy', run: () => compensation.removePlatformAgent({ ...ref, step: 'deploy' }) });
    const releaseNumber = { step: 'number', run: () => compensation.releasePhoneNumber({ ...ref, step: 'number' }) };
    if (patched('deploy-and-number')) {
      // One activity for both provider steps (one task round trip fewer per agent); a failure
      // names the step it failed in. Both undos are armed: each finds nothing to undo if its step never ran.
      undo.unshift({ ...releaseNumber, skip: failedBeforeNumber });
      progress.step = 'deploy';
      await providerSteps.deployAndAssignNumber({ ...ref, version });
      // As after the number step alone: a cancel that won the race below is the number step's.
      progress.step = 'number';
      progress.completed.push('deploy', 'number');
    } else {
      // Histories from before the merge replay as they ran: two activities.
      await run('deploy', () => provider.deployAgent({ ...ref, version }));
      undo.unshift(releaseNumber);
      await run('number', () => provider.assignPhoneNumber(ref));
    }
    // A cancel that came while the last provider call finished still wins; past this check it is
    // too late: activation runs to the end, so an operation is never both activated and compensated.
    if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('canceled before activation');
    // Histories from before the local activation replay as they ran.
    const activate = patched('local-activation') ? localBookkeeping.activateAgent : bookkeeping.activateAgent;
    const result = await run('activate', () => CancellationScope.nonCancellable(() => activate(ref)));
    setOpsStatus('active');
    return result;
  } catch (err) {
    const failed = describeFailure(err, progress.step);
    progress.compensating = true;
    if (undo.length > 0) setOpsStatus('compensating');
    // Cleanup runs even though the workflow itself is being canceled.
    await CancellationScope.nonCancellable(async () => {
      // Histories from before the saga-style undo replay as they ran: one undo after the other.
      if (patched('saga-compensation')) {
        const compensationFailures = await runCompensations(undo.filter((u) => !u.skip?.(err)));
        await compensation.failProvisioning({ ...ref, canceled: isCancellation(err), error: failed, compensationFailures });
        return;
      }
      for (const compensate of undo) await compensate.run();
      await compensation.failProvisioning({ ...ref, canceled: isCancellation(err), error: failed });
    });
    setOpsStatus(isCancellation(err) ? 'canceled' : 'failed');
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.create({ type: failed.code, message: failed.message, nonRetryable: true, details: [failed] });
  }
}

/** A new prompt version (regenerated, overridden or rolled back) pushed to the platform. */
export async function updateAgent(input: UpdateAgentInput): Promise<{ version: number | null }> {
  const progress: WorkflowProgress = { step: null, completed: [], compensating: false };
  setHandler(progressQuery, () => progress);
  const ref = { operationId: input.operationId, agentId: input.agentId };
  const undo: { step: string; run: () => Promise<unknown> }[] = [];
  try {
    progress.step = 'research';
    if (input.research) await research.researchBusiness(ref);
    else await bookkeeping.skipStep({ operationId: input.operationId, step: 'research', reason: 'business_url unchanged' });
    progress.step = 'generate';
    await generation.generateAgentConfig({ ...ref, rollbackTo: input.rollbackTo });
    progress.step = 'push';
    // A push that failed may still have reached the platform (or a later step failed after it
    // did): the platform gets the version our database keeps back. Older histories ran without.
    if (patched('update-restore-platform')) undo.unshift({ step: 'push', run: () => compensation.restorePlatformAgent(ref) });
    await provider.pushToPlatform(ref);
    progress.step = 'finalize';
    const result = await bookkeeping.finalizeUpdate({ ...ref, changedFields: input.changedFields });
    setOpsStatus('succeeded');
    return result;
  } catch (err) {
    const failed = describeFailure(err, progress.step);
    progress.compensating = undo.length > 0;
    if (undo.length > 0) setOpsStatus('compensating');
    await CancellationScope.nonCancellable(async () => {
      const compensationFailures = undo.length > 0 ? await runCompensations(undo) : undefined;
      await compensation.failChange({ ...ref, error: failed, restoreStatus: 'active', ...(compensationFailures ? { compensationFailures } : {}) });
    });
    setOpsStatus(isCancellation(err) ? 'canceled' : 'failed');
    throw ApplicationFailure.create({ type: failed.code, message: failed.message, nonRetryable: true, details: [failed] });
  }
}

/** Deprovision: platform agent deleted, number released, agent marked deleted. */
export async function deleteAgent(input: DeleteAgentInput): Promise<void> {
  const progress: WorkflowProgress = { step: null, completed: [], compensating: false };
  setHandler(progressQuery, () => progress);
  const ref = { operationId: input.operationId, agentId: input.agentId };
  try {
    progress.step = 'delete_platform_agent';
    await deprovision.removePlatformAgent({ ...ref, step: 'delete_platform_agent' });
    progress.step = 'release_number';
    const released = await deprovision.releasePhoneNumber({ ...ref, step: 'release_number' });
    progress.step = 'finalize';
    await bookkeeping.finalizeDelete({ ...ref, releasedNumber: released });
    setOpsStatus('succeeded');
  } catch (err) {
    const failed = describeFailure(err, progress.step);
    await CancellationScope.nonCancellable(() => compensation.failChange({ ...ref, error: failed, restoreStatus: 'failed' }));
    setOpsStatus(isCancellation(err) ? 'canceled' : 'failed');
    throw ApplicationFailure.create({ type: failed.code, message: failed.message, nonRetryable: true, details: [failed] });
  }
}
