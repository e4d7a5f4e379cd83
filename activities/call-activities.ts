import { Context } from '@temporalio/activity';
import type { Model } from 'mongoose';
import type { AgentDoc, ResearchReportDoc } from '../core/agents/agent-model';
import type { CallService } from '../core/calls/call-service';
import { isEnded } from '../core/calls/call-service';
import type { CallExtractor, ExtractionSchema, PlatformNotification, TranscriptTurn } from '../core/calls/call-types';
import type { OutboundSimulation } from '../workflows/call-workflow-types';
import { hashBase32 } from '../core/ids/ids';
import type { EventLog } from '../core/events/event-log';
import type { PlatformCredentialService } from '../core/platform-credentials/platform-credential-service';
import type { PlatformAdapter, PlatformName } from '../core/platforms/platform-adapter';
import type { LocalCallSimulator } from '../core/platforms/local-call-simulator';
import type { ResearchReport } from '../core/research/research-report';
import type { Template } from '../core/templates/template';
import { asActivity, failure } from './activity-errors';
import { maskSensitiveTurns } from '../core/calls/sensitive-data-masking';
import { businessLocale } from '../core/calls/business-locale';
import { extractionSchemaFor } from '../core/calls/extraction-schema';
import { crashPoint } from '../core/faults/crash-points';

export interface CallActivityDeps {
  calls: CallService;
  agents: Model<AgentDoc>;
  researchReports: Model<ResearchReportDoc>;
  templates: { get(id: string): Template | undefined };
  events: EventLog;
  extractor: CallExtractor;
  platforms: Record<PlatformName, PlatformAdapter>;
  credentials: PlatformCredentialService;
  simulator: LocalCallSimulator;
  /** Whether an account masks card, bank and social security numbers (on unless turned off). */
  masksSensitiveData(accountId: string): Promise<boolean>;
  locale: { timezone: string; country: string };
  billing: CallBilling;
  /** Real seconds per simulated second of a local outbound call (WFW_LOCAL_CALL_TIME_SCALE). */
  localTimeScale: number;
}

/** What the call workflow needs of the credit ledger; every method is idempotent per call. */
export interface CallBilling {
  /** An outbound call: its hold captured at the real duration, the rest released. */
  captureHold(accountId: string, callId: string, agentId: string, durationSeconds: number): Promise<void>;
  /** An outbound call that never connected: its hold released. */
  releaseHold(accountId: string, callId: string): Promise<void>;
  /** An inbound call: charged at its duration, no hold before. */
  chargeInbound(accountId: string, callId: string, agentId: string, durationSeconds: number): Promise<void>;
}

type CallRef = { callId: string; accountId: string; agentId: string };

/**
 * Tries for a retryable business failure (the platform answering 5xx/429, an LLM hiccup);
 * infrastructure retries beyond this. Bookkeeping on our own database gets many: the platform
 * sends a call once, so giving up on writing it loses the call.
 */
const ATTEMPTS = { poll: 5, extract: 5, place: 5, bookkeeping: 30 } as const;

/**
 * The I/O of the call workflow. Each activity is idempotent: writes are keyed by the call ID and
 * events by a dedupe key of the call, so a rerun after a crash changes nothing twice.
 */
export function createCallActivities(deps: CallActivityDeps) {
  const { calls, events } = deps;

  async function notification(accountId: string, notificationId: string): Promise<PlatformNotification> {
    const n = await calls.readNotification(accountId, notificationId);
    if (!n.call) throw failure('CALL_NOTIFICATION_EMPTY', 'the notification carries no call');
    return n;
  }

  async function callOf(callId: string) {
    const call = await calls.find(callId);
    if (!call) throw failure('CALL_NOT_FOUND', `call ${callId} does not exist`);
    return call;
  }

  async function emitStarted(ref: CallRef, call: { direction: string; from_number: string | null; to_number: string | null }): Promise<void> {
    await events.append(ref.accountId, 'call.started', { call_id: ref.callId, agent_id: ref.agentId, direction: call.direction as 'inbound', from: call.from_number, to: call.to_number }, { dedupeKey: `call.started:${ref.callId}`, agentId: ref.agentId });
  }

  return {
    async placeSimulatedCall(input: CallRef & { turns: TranscriptTurn[]; callerNumber: string | null }): Promise<void> {
      return asActivity(async () => {
        const call = await callOf(input.callId);
        if (isEnded(call.status)) return;
        const agent = await deps.agents.findById(input.agentId).lean<AgentDoc>();
        const lastEnd = input.turns.reduce((m, t) => Math.max(m, t.end_seconds ?? 0), 0);
        const duration = Math.max(1, Math.ceil(lastEnd || input.turns.length * 4));
        const endedAt = new Date();
        await deps.simulator.deliverEnded(
          {
            accountId: input.accountId,
            platformCallId: call.platform_call_id ?? input.callId,
            platformAgentId: agent?.platform_agent_id ?? input.agentId,
            direction: 'inbound',
            fromNumber: input.callerNumber,
            toNumber: agent?.phone_number ?? null,
            status: 'completed',
            startedAt: new Date(endedAt.getTime() - duration * 1000),
            endedAt,
            turns: input.turns,
          },
          Context.current().cancellationSignal,
        );
      }, ATTEMPTS.place);
    },

    /**
     * Hands an outbound call to the platform. The platform's call ID is claimed for our call
     * before anything can notify about it: a local one is derived from our ID up front, a real
     * platform's comes back from the request (and its notifications carry our ID in metadata).
     */
    async placeOutboundCall(input: CallRef & { toNumber: string; variables: Record<string, string>; simulation: OutboundSimulation | null }): Promise<{ simulatedMs: number | null }> {
      return asActivity(async () => {
        const call = await callOf(input.callId);
        // Placed by an earlier attempt: not again (a second dial would ring the person twice).
        if (call.platform_call_id || isEnded(call.status)) return { simulatedMs: call.platform === 'local' ? 0 : null };
        const agent = await deps.agents.findById(input.agentId).lean<AgentDoc>();
        if (!agent || !agent.platform_agent_id || !agent.phone_number) throw failure('AGENT_NOT_LIVE', 'the agent has no platform agent or phone number');
        const platform = agent.platform as PlatformName;
        if (platform === 'local') {
          const platformCallId = `lsim_${hashBase32([input.callId], 26)}`;
          await calls.claimCallIdAs(input.accountId, 'local', platformCallId, input.callId);
          await calls.markPlaced(input.callId, platformCallId);
          // The simulated call lasts on a workflow timer (durable, any length), then deliverSimulatedOutcome reports it.
          const seconds = input.simulation?.outcome === 'answered' || !input.simulation ? input.simulation?.duration_seconds ?? 60 : 0;
          return { simulatedMs: Math.round(seconds * 1000 * deps.localTimeScale) };
        }
        const adapter = deps.platforms[platform];
        if (!adapter.placeCall) throw failure('OUTBOUND_UNSUPPORTED', `outbound calls are not supported on ${platform}`);
        const credentials = await deps.credentials.platformCredentials(input.accountId, platform);
        if (!credentials) throw failure('PLATFORM_NOT_CONFIGURED', `no ${platform} credentials`);
        const placed = await adapter.placeCall(credentials, {
          platform_agent_id: agent.platform_agent_id,
          from_number: agent.phone_number,
          to_number: input.toNumber,
          variables: input.variables,
          dedupe_token: input.callId,
        });
        await calls.claimCallIdAs(input.accountId, platform, placed.platform_call_id, input.callId);
        await calls.markPlaced(input.callId, placed.platform_call_id);
        return { simulatedMs: null };
      }, ATTEMPTS.place);
    },

    /** The local platform's callee has hung up: its signed end-of-call notification goes to our ingestion route. */
    async deliverSimulatedOutcome(input: CallRef & { toNumber: string; simulation: OutboundSimulation | null; simulatedMs: number }): Promise<void> {
      return asActivity(async () => {
        const call = await callOf(input.callId);
        const agent = await deps.agents.findById(input.agentId).lean<AgentDoc>();
        if (!call.platform_call_id || !agent?.platform_agent_id) throw failure('CALL_NOT_PLACED', 'the simulated call was never placed');
        const startedAt = new Date(Date.now() - input.simulatedMs / Math.max(deps.localTimeScale, 1e-9));
        await deps.simulator.simulateOutbound(
          { accountId: input.accountId, platformCallId: call.platform_call_id, platformAgentId: agent.platform_agent_id, fromNumber: agent.phone_number, toNumber: input.toNumber, startedAt },
          input.simulation ?? { outcome: 'answered' },
          0,
          Context.current().cancellationSignal,
        );
      }, ATTEMPTS.place);
    },

    /** An outbound call that was never placed (canceled while queued, or refused): it ends, its hold released, subscribers told. */
    async endUnplacedCall(input: CallRef & { status: 'canceled' | 'failed'; reason: string }): Promise<void> {
      return asActivity(async () => {
        const call = await calls.endUnplaced(input.callId, input.status, input.reason);
        if (!call) return;
        if (!call.test) await deps.billing.releaseHold(input.accountId, input.callId);
        await events.append(
          input.accountId,
          'call.completed',
          { call_id: input.callId, agent_id: input.agentId, status: call.status, test: call.test, duration_seconds: 0, caller_id: call.to_number, disposition: null },
          { dedupeKey: `call.completed:${input.callId}`, agentId: input.agentId },
        );
      }, ATTEMPTS.bookkeeping);
    },

    /** Pays for the call from the account's credit: test calls never; outbound from their hold; inbound at the end. */
    async settleCallCredit(input: CallRef): Promise<void> {
      return asActivity(async () => {
        const call = await callOf(input.callId);
        if (call.test) return;
        const seconds = call.status === 'completed' ? call.duration_seconds ?? 0 : 0;
        if (call.direction === 'outbound') {
          if (seconds > 0) await deps.billing.captureHold(input.accountId, input.callId, input.agentId, seconds);
          else await deps.billing.releaseHold(input.accountId, input.callId);
        } else if (seconds > 0) {
          await deps.billing.chargeInbound(input.accountId, input.callId, input.agentId, seconds);
        }
      }, ATTEMPTS.bookkeeping);
    },

    async recordCallStarted(input: CallRef & { notificationId: string }): Promise<void> {
      return asActivity(async () => {
        const n = await notification(input.accountId, input.notificationId);
        const call = await calls.recordPlatformCall({ callId: input.callId, accountId: input.accountId, agentId: input.agentId, test: false, call: { ...n.call!, turns: [] } });
        await emitStarted(input, call);
      }, ATTEMPTS.bookkeeping);
    },

    /** Asks the platform for a call whose end-of-call notification never came; the stored notification's ID once it has ended. */
    async pollPlatformCall(input: CallRef): Promise<string | null> {
      return asActivity(async () => {
        const call = await callOf(input.callId);
        const platform = call.platform as PlatformName;
        const adapter = deps.platforms[platform];
        if (!adapter?.getCall || platform === 'local' || !call.platform_call_id) return null;
        const credentials = await deps.credentials.platformCredentials(input.accountId, platform);
        if (!credentials) return null;
        const reported = await adapter.getCall(credentials, call.platform_call_id);
        if (!reported || !isEnded(reported.status)) return null;
        const stored = await calls.storeNotification(
          input.accountId,
          input.callId,
          { platform, kind: 'ended', event_type: 'polled', dedupe_key: `polled:${call.platform_call_id}`, occurred_at: new Date(), call: reported },
          null,
        );
        return stored.id;
      }, ATTEMPTS.poll);
    },

    /** Nobody ever said the call ended: it ends failed, and subscribers hear so (call.completed with that status). */
    async abandonCall(input: CallRef): Promise<void> {
      return asActivity(async () => {
        const call = await calls.abandon(input.callId, 'no_end_of_call_report');
        if (!call) return;
        await events.append(
          input.accountId,
          'call.completed',
          { call_id: input.callId, agent_id: input.agentId, status: call.status, test: call.test, duration_seconds: call.duration_seconds ?? 0, caller_id: call.direction === 'outbound' ? call.to_number : call.from_number, disposition: null },
          { dedupeKey: `call.completed:${input.callId}`, agentId: input.agentId },
        );
      }, ATTEMPTS.bookkeeping);
    },

    /** Writes the ended call and its (masked) transcript; announces the start if nobody did, then the transcript. */
    async recordCallEnded(input: CallRef & { notificationId: string }): Promise<string> {
      return asActivity(async () => {
        const n = await notification(input.accountId, input.notificationId);
        const mask = await deps.masksSensitiveData(input.accountId);
        const turns = mask ? maskSensitiveTurns(n.call!.turns) : n.call!.turns;
        const call = await calls.recordPlatformCall({ callId: input.callId, accountId: input.accountId, agentId: input.agentId, test: false, call: { ...n.call!, turns } });
        await calls.storeTranscript(input.callId, input.accountId, turns, mask);
        await emitStarted(input, call);
        await events.append(
          input.accountId,
          'call.transcript_ready',
          { call_id: input.callId, agent_id: input.agentId, transcript_url: calls.transcriptUrl(input.callId), turns: turns.length },
          { dedupeKey: `call.transcript_ready:${input.callId}`, agentId: input.agentId },
        );
        return call.status;
      }, ATTEMPTS.bookkeeping);
    },

    async extractCall(input: CallRef): Promise<{ disposition: string | null }> {
      crashPoint('call.extract');
      return asActivity(async () => {
        const call = await callOf(input.callId);
        const existing = await calls.loadExtraction(input.callId);
        if (existing && call.extraction_status === 'completed') return { disposition: existing.disposition };
        const agent = await deps.agents.findById(input.agentId).lean<AgentDoc>();
        if (!agent) throw failure('AGENT_NOT_FOUND', `agent ${input.agentId} does not exist`);
        const template = deps.templates.get(agent.template_id);
        if (!template) throw failure('TEMPLATE_NOT_FOUND', `template ${agent.template_id} does not exist`);
        const schema: ExtractionSchema = extractionSchemaFor(template, agent);
        const report = agent.research_report_id ? await deps.researchReports.findById(agent.research_report_id).lean<ResearchReportDoc>() : null;
        const locale = businessLocale((report?.report as unknown as ResearchReport | undefined)?.profile?.address?.value ?? null, deps.locale);
        const transcript = await calls.loadTranscript(input.callId);
        const result = await deps.extractor.extract(
          {
            turns: transcript?.turns ?? [],
            schema,
            dispositions: template.dispositions,
            call_started_at: call.started_at ?? call.created_at,
            timezone: locale.timezone,
            country: locale.country,
            caller_number: call.direction === 'outbound' ? call.to_number : call.from_number,
          },
          Context.current().cancellationSignal,
        );
        await calls.storeExtraction(call, result, schema);
        return { disposition: result.disposition };
      }, ATTEMPTS.extract);
    },

    async markExtractionFailed(input: CallRef): Promise<void> {
      return asActivity(async () => {
        await calls.markExtractionFailed(input.callId);
      }, ATTEMPTS.bookkeeping);
    },

    /** The call's outcome events: completed (with disposition), the extractions, and each field to double-check. */
    async publishCallOutcome(input: CallRef): Promise<void> {
      return asActivity(async () => {
        const call = await callOf(input.callId);
        const extraction = await calls.extraction(input.accountId, input.callId);
        const ref = { call_id: input.callId, agent_id: input.agentId };
        const opts = (kind: string) => ({ dedupeKey: `${kind}:${input.callId}`, agentId: input.agentId });
        await events.append(input.accountId, 'call.completed', { ...ref, duration_seconds: call.duration_seconds ?? 0, caller_id: call.direction === 'outbound' ? call.to_number : call.from_number, disposition: call.disposition, status: call.status, test: call.test }, opts('call.completed'));
        await events.append(
          input.accountId,
          'call.extractions_ready',
          {
            ...ref,
            intent: extraction.intent,
            disposition: extraction.disposition,
            threshold: extraction.threshold ?? 0,
            extractions: Object.fromEntries(extraction.fields.map((f) => [f.name, { value: f.value, confidence: f.confidence, below_threshold: f.below_threshold }])),
          },
          opts('call.extractions_ready'),
        );
        for (const f of lowConfidence(extraction.fields, extraction.threshold ?? 0)) {
          await events.append(input.accountId, 'extraction.low_confidence', { ...ref, field: f.name, confidence: f.confidence, threshold: extraction.threshold ?? 0 }, opts(`extraction.low_confidence:${f.name}`));
        }
      }, ATTEMPTS.bookkeeping);
    },
  };
}

/**
 * Fields a person should double-check: a value heard but with confidence under the threshold,
 * and a required field the call never filled (confidence 0).
 */
function lowConfidence<F extends { name: string; value: unknown; confidence: number; required?: boolean }>(fields: F[], threshold: number): F[] {
  return fields.filter((f) => f.confidence < threshold && (f.value !== null || f.required === true));
}

export type CallActivities = ReturnType<typeof createCallActivities>;
