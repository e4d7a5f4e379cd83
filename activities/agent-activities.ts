import { Context } from '@temporalio/activity';
import type { Model } from 'mongoose';
import type { AgentDoc, PromptVersionDoc, ResearchReportDoc } from '../core/agents/agent-model';
import type { AgentService } from '../core/agents/agent-service';
import type { EventLog } from '../core/events/event-log';
import type { AgentGenerator } from '../core/generation/agent-generator';
import type { OperationService } from '../core/operations/operation-service';
import type { PlatformCredentialService } from '../core/platform-credentials/platform-credential-service';
import type { AgentDeployment, DeployedAgent, PlatformAdapter, PlatformCredentials, PlatformName } from '../core/platforms/platform-adapter';
import type { ResearchReport } from '../core/research/research-report';
import type { Template } from '../core/templates/template';
import type { AcquiredNumber, TelephonyAdapter, TelephonyName } from '../core/telephony/telephony-adapter';
import type { CompensationFailure, DeleteAgentInput, OperationFailureInfo, ProvisionAgentInput, ProvisionAgentResult, UpdateAgentInput } from '../workflows/agent-workflow-types';
import { retentionDay } from '../core/maintenance/retention';
import { asActivity, failure } from './activity-errors';

export interface AgentActivityDeps {
  agents: AgentService;
  operations: OperationService;
  events: EventLog;
  researchReports: Model<ResearchReportDoc>;
  research: { research(businessUrl: string, options?: { signal?: AbortSignal }): Promise<ResearchReport> };
  templates: { get(id: string): Template | undefined; suggest(report: ResearchReport): ResearchReport['suggested_template'] };
  generator: AgentGenerator;
  platforms: Record<PlatformName, PlatformAdapter>;
  telephony: Record<TelephonyName, TelephonyAdapter>;
  credentials: PlatformCredentialService;
  /** The API's public URL (WFW_PUBLIC_BASE_URL): where platforms are told to post call events. */
  publicBaseUrl?: string;
  /**
   * Once an agent has a KB head, deployments carry its synced version's documents (core/knowledge-base/);
   * an active agent has a drift schedule (its weekly re-crawl), a deleted one none.
   */
  knowledgeBase?: {
    servedDocuments(agentId: string): Promise<AgentDeployment['knowledge_base'] | null>;
    ensureDriftSchedule(agent: AgentDoc): Promise<void>;
    removeDriftSchedule(agentId: string): Promise<void>;
  };
  /**
   * The agent's KB sync lock (core/knowledge-base/kb-sync-lock.ts): an update's push replaces
   * the platform's documents as a sync does, so the two never run at once on one agent.
   */
  syncLock?: { withLock<T>(agentId: string, holder: string, body: () => Promise<T>): Promise<T> };
}

type OpRef = { operationId: string; agentId: string };

/**
 * Tries a step gets for a retryable business failure (a site or provider answering 5xx/429)
 * before it fails the operation; infrastructure failures retry beyond this (asActivity).
 */
const STEP_ATTEMPTS: Record<string, number> = { research: 3, generate: 4, deploy: 6, number: 6, push: 6 };
/** Undo gives up only on a definite refusal; a leaked number costs money every month. */
const COMPENSATION_ATTEMPTS = 25;

/** Suggestions below this are not trusted to pick a template on a client's behalf. */
const MIN_SUGGESTION_CONFIDENCE = 0.5;

/**
 * The I/O of the agent workflows. Every activity is idempotent: it may run again after a crash
 * or a timeout, so each one first looks for what an earlier attempt already did.
 */
export function createAgentActivities(deps: AgentActivityDeps) {
  const { agents, operations } = deps;

  const underSyncLock = <T>(agentId: string, holder: string, body: () => Promise<T>): Promise<T> => (deps.syncLock ? deps.syncLock.withLock(agentId, holder, body) : body());

  async function agentOf(agentId: string): Promise<AgentDoc> {
    const agent = await agents.findById(agentId);
    if (!agent) throw failure('AGENT_NOT_FOUND', `agent ${agentId} does not exist`);
    return agent;
  }

  /**
   * A step of an operation. `premarked`: the step before it already marked this one running in
   * its own final write, so a first attempt starts without a write; `next` is the step this one
   * marks running when it ends (one write per transition).
   */
  async function step<T>(
    operationId: string,
    name: string,
    body: () => Promise<T>,
    options: { detail?: (result: T) => string | undefined; premarked?: boolean; next?: () => string | undefined; finishes?: boolean } = {},
  ): Promise<T> {
    return asActivity(async () => {
      const attempt = Context.current().info.attempt;
      if (attempt > 1 || !options.premarked) await operations.stepStarted(operationId, name, attempt);
      const result = await body();
      // A step that `finishes` the operation records itself in the operation's terminal write.
      if (!options.finishes) await operations.stepFinished(operationId, name, 'completed', options.detail?.(result), options.next?.());
      return result;
    }, STEP_ATTEMPTS[name], operationId);
  }

  /** The prompt version an operation wrote (generate records its number on the operation). */
  async function promptVersionOf(agentId: string, operationId: string) {
    const version = (await operations.findById(operationId))?.prompt_version;
    return version ? agents.promptVersionByNumber(agentId, version) : null;
  }

  async function platformCredentials(agent: AgentDoc): Promise<PlatformCredentials> {
    if (agent.platform === 'local') return { api_key: 'local' };
    const creds = await deps.credentials.platformCredentials(agent.account_id, agent.platform);
    if (!creds) {
      throw failure('PLATFORM_CREDENTIALS_MISSING', `no ${agent.platform} credentials for this account; PUT /v2/platform-credentials/${agent.platform}`);
    }
    return creds;
  }

  /** Provider objects carry the provisioning operation's ID as their dedupe token (deletes run under another operation). */
  function dedupeTokenOf(agent: AgentDoc): string {
    return agent.provision_operation_id;
  }

  /**
   * Where the platform posts the agent's call events: our ingestion route, signed with the
   * account's secret for that platform. Only with a public base URL: a platform cannot reach a
   * development machine, and the call workflow's polling covers an agent deployed without one.
   */
  async function notificationsOf(agent: AgentDoc): Promise<AgentDeployment['notifications']> {
    if (!deps.publicBaseUrl || agent.platform === 'local') return undefined;
    const url = `${deps.publicBaseUrl.replace(/\/+$/, '')}/v2/platform-notifications/${agent.platform}/${agent.account_id}`;
    return { url, secret: await deps.credentials.notificationSecret(agent.account_id, agent.platform) };
  }

  async function deploymentOf(agent: AgentDoc, pv: PromptVersionDoc, dedupeToken: string): Promise<AgentDeployment> {
    const notifications = await notificationsOf(agent);
    return {
      ...(notifications ? { notifications } : {}),
      name: agent.name,
      system_prompt: pv.system_prompt,
      first_message: pv.first_message,
      voice: agent.voice ?? undefined,
      language: agent.language,
      // Only a deployed agent can have a synced KB version (a sync pushes to its platform agent):
      // a first deploy carries the generated documents without looking for one.
      knowledge_base: (agent.platform_agent_id ? await deps.knowledgeBase?.servedDocuments(agent._id) : null) ?? pv.knowledge_base,
      dedupe_token: dedupeToken,
    };
  }

  /** Creates the platform agent from the operation's prompt version and keeps its IDs on the agent. */
  async function deploy(agent: AgentDoc, operationId: string, version?: number): Promise<AgentDoc> {
    const pv = version ? await agents.promptVersionByNumber(agent._id, version) : await promptVersionOf(agent._id, operationId);
    if (!pv) throw failure('PROMPT_VERSION_MISSING', 'generate has not written a prompt version');
    const deployed = await deps.platforms[agent.platform].createAgent(await platformCredentials(agent), await deploymentOf(agent, pv, operationId));
    const kept = { platform_agent_id: deployed.platform_agent_id, platform_kb_ids: deployed.knowledge_base_ids, current_prompt_version: pv.version };
    await agents.update(agent._id, kept);
    return { ...agent, ...kept };
  }

  /** Gets a number (or the one an earlier attempt got) and routes it to the platform agent. */
  async function assignNumber(agent: AgentDoc, operationId: string): Promise<string> {
    if (!agent.phone_number || !agent.telephony_number_id) {
      const twilio = agent.platform === 'local' ? null : await deps.credentials.telephonyCredentials(agent.account_id);
      const telephony: TelephonyName = twilio ? 'twilio' : 'local';
      const number = await deps.telephony[telephony].acquireNumber(twilio, { account_id: agent.account_id, area_code: agent.area_code ?? undefined, country: 'US', dedupe_token: operationId });
      await agents.update(agent._id, { phone_number: number.e164, telephony, telephony_number_id: number.provider_number_id });
      agent = { ...agent, phone_number: number.e164, telephony, telephony_number_id: number.provider_number_id };
    }
    if (!agent.platform_agent_id || !agent.phone_number || !agent.telephony) throw failure('NOT_READY', 'agent has no platform agent or number to attach');
    // Platforms import a Twilio number with the account's Twilio credentials.
    const twilio = agent.telephony === 'twilio' ? await deps.credentials.telephonyCredentials(agent.account_id) : null;
    await deps.platforms[agent.platform].attachPhoneNumber(await platformCredentials(agent), agent.platform_agent_id, {
      e164: agent.phone_number,
      provider_number_id: agent.telephony_number_id ?? undefined,
      telephony: agent.telephony,
      ...(twilio ? { telephony_credentials: twilio } : {}),
    });
    return agent.phone_number;
  }

  return {
    async researchBusiness({ operationId, agentId }: OpRef): Promise<{ templateId: string; suggested: string | null }> {
      return step(
        operationId,
        'research',
        async () => {
          const agent = await agentOf(agentId);
          // The report is keyed by the operation: only a retry can find one.
          let stored = Context.current().info.attempt > 1 ? await deps.researchReports.findById(operationId).lean<ResearchReportDoc>() : null;
          if (!stored) {
            // A cancel aborts the crawl's requests instead of letting it run to its own budget.
            const report = await deps.research.research(agent.business_url, { signal: Context.current().cancellationSignal });
            report.suggested_template = deps.templates.suggest(report);
            const now = new Date();
            stored = { _id: operationId, account_id: agent.account_id, operation_id: operationId, business_url: agent.business_url, report: report as unknown as Record<string, unknown>, created_at: now, retention_day: retentionDay(now) };
            await deps.researchReports.updateOne({ _id: operationId }, { $setOnInsert: stored }, { upsert: true });
          }
          const report = stored.report as unknown as ResearchReport;
          let templateId = agent.template_id;
          if (templateId === 'auto') {
            const s = report.suggested_template;
            if (!s || s.confidence < MIN_SUGGESTION_CONFIDENCE) {
              throw failure('TEMPLATE_UNDETERMINED', 'template_id was "auto" and the research did not point clearly at one vertical; pass a template_id');
            }
            templateId = s.template_id;
          }
          // A provisioning's agent points at this report from the start: one write fewer unless "auto" picked a template.
          if (agent.research_report_id !== operationId || agent.template_id !== templateId) await agents.update(agentId, { research_report_id: operationId, template_id: templateId });
          return { templateId, suggested: report.suggested_template?.template_id ?? null };
        },
        { detail: (r) => `template ${r.templateId}`, next: () => 'generate' },
      );
    },

    async skipStep({ operationId, step: name, reason }: { operationId: string; step: string; reason: string }): Promise<void> {
      // Only research is ever skipped (an update whose business_url did not change).
      await asActivity(() => operations.stepFinished(operationId, name, 'skipped', reason, name === 'research' ? 'generate' : undefined));
    },

    async generateAgentConfig({ operationId, agentId, rollbackTo }: OpRef & { rollbackTo?: number }): Promise<{ version: number }> {
      let next: string | undefined;
      return step(
        operationId,
        'generate',
        async () => {
          // The version number is taken once per operation and kept on it, so a retry reuses it.
          const op = await operations.findById(operationId);
          next = op?.type === 'agent.update' ? 'push' : 'deploy';
          let version = op?.prompt_version ?? null;
          // Written already (a retry, or a rerun after a lost workflow task): not generated again.
          if (version !== null && (await agents.promptVersionByNumber(agentId, version))) return { version };
          if (version === null) {
            let allocated = await agents.allocatePromptVersion(agentId);
            // A number already written (an agent whose counter missed its provisioning's reserved
            // version 1, written by an older release) is skipped, or this change would be dropped.
            for (let i = 0; i < 5 && (await agents.promptVersionByNumber(agentId, allocated)); i++) allocated = await agents.allocatePromptVersion(agentId);
            // Kept only if no earlier attempt kept one first; then that one is the operation's.
            version = (await operations.setPromptVersion(operationId, allocated)) ? allocated : (await operations.findById(operationId))!.prompt_version!;
          }
          const agent = await agentOf(agentId);
          if (rollbackTo !== undefined) {
            const source = await agents.promptVersionByNumber(agentId, rollbackTo);
            if (!source) throw failure('PROMPT_VERSION_MISSING', `no prompt version ${rollbackTo}`);
            await agents.savePromptVersion({ ...source, version, source: 'rollback', rolled_back_from: rollbackTo, operation_id: operationId });
            return { version };
          }
          const template = deps.templates.get(agent.template_id);
          if (!template) throw failure('TEMPLATE_NOT_FOUND', `template ${agent.template_id} does not exist`);
          const stored = agent.research_report_id ? await deps.researchReports.findById(agent.research_report_id).lean<ResearchReportDoc>() : null;
          if (!stored) throw failure('RESEARCH_MISSING', 'no research report for this agent');
          const generated = await deps.generator.generate(
            {
              template,
              report: stored.report as unknown as ResearchReport,
              agent: { name: agent.name, language: agent.language, voice: agent.voice ?? undefined },
            },
            { signal: Context.current().cancellationSignal },
          );
          await agents.savePromptVersion({
            account_id: agent.account_id,
            agent_id: agentId,
            version,
            system_prompt: agent.prompt_override ?? generated.system_prompt,
            first_message: generated.first_message,
            knowledge_base: generated.knowledge_base,
            source: agent.prompt_override ? 'override' : version > 1 ? 'regenerated' : 'generated',
            generator: generated.generator + (generated.model ? `:${generated.model}` : ''),
            rolled_back_from: null,
            operation_id: operationId,
          });
          return { version };
        },
        { detail: (r) => `prompt version ${r.version}`, premarked: true, next: () => next },
      );
    },

    /** `version`: the one generate wrote (histories from before it was passed read it off the operation). */
    async deployAgent({ operationId, agentId, version }: OpRef & { version?: number }): Promise<{ platformAgentId: string }> {
      return step(operationId, 'deploy', async () => ({ platformAgentId: (await deploy(await agentOf(agentId), operationId, version)).platform_agent_id! }), { premarked: true, next: () => 'number' });
    },

    /** Gets a number (or the one an earlier attempt got) and routes it to the platform agent. */
    async assignPhoneNumber({ operationId, agentId }: OpRef): Promise<{ phoneNumber: string }> {
      return step(operationId, 'number', async () => ({ phoneNumber: await assignNumber(await agentOf(agentId), operationId) }), {
        detail: (r) => r.phoneNumber,
        premarked: true,
        next: () => 'activate',
      });
    },

    /**
     * The deploy and number steps in one activity: one task through Temporal instead of two and
     * one read of the agent, which a batch of 100 felt (bench/provision-batch.ts). The operation
     * still records both steps: one write when both succeed (deploy was marked running by
     * generate), one more when the number fails after the deploy, so it reads "deploy completed,
     * number failed". A retry resumes where the last attempt got, from what the agent kept.
     * A failure names its step (StepFailureDetails) for the workflow's record and undo.
     */
    async deployAndAssignNumber({ operationId, agentId, version }: OpRef & { version: number }): Promise<{ platformAgentId: string; phoneNumber: string }> {
      let current: 'deploy' | 'number' = 'deploy';
      // The deploy completed and the number started, as the old deploy activity's last write.
      const deployRecorded = () => operations.stepFinished(operationId, 'deploy', 'completed', undefined, 'number');
      return asActivity(async () => {
        const ctx = Context.current();
        const attempt = ctx.info.attempt;
        let agent = await agentOf(agentId);
        current = agent.platform_agent_id ? 'number' : 'deploy';
        if (attempt > 1) {
          // A retry: its step's record goes on from what the operation holds (a deploy an earlier
          // attempt finished is recorded once; the number step counts its own attempts).
          const steps = (await operations.findById(operationId))?.steps as Record<string, { status: string; attempts: number }> | undefined;
          if (current === 'deploy') await operations.stepStarted(operationId, 'deploy', attempt);
          else if (steps?.deploy?.status !== 'completed') await deployRecorded();
          else if (steps?.number?.status !== 'completed') await operations.stepStarted(operationId, 'number', (steps?.number?.attempts ?? 0) + 1);
        }
        let deployedAt: Date | null = null;
        if (current === 'deploy') {
          agent = await deploy(agent, operationId, version);
          deployedAt = new Date();
          // A cancel that came during the deploy stops here, before a number is bought (as the
          // number step's activity was never started in a canceled workflow).
          if (ctx.cancellationSignal.aborted) {
            await deployRecorded();
            current = 'number';
            throw ctx.cancellationSignal.reason;
          }
          current = 'number';
        }
        let phoneNumber: string;
        try {
          phoneNumber = await assignNumber(agent, operationId);
        } catch (err) {
          if (deployedAt) await deployRecorded().catch(() => undefined);
          throw err;
        }
        await operations.stepsFinished(operationId, [...(deployedAt ? [{ step: 'deploy', at: deployedAt }] : []), { step: 'number', detail: phoneNumber, startedAt: deployedAt ?? undefined }], 'activate');
        return { platformAgentId: agent.platform_agent_id!, phoneNumber };
        // The two steps share their tries (retryable provider failures), so neither gets fewer than alone.
      }, STEP_ATTEMPTS.deploy + STEP_ATTEMPTS.number - 1, operationId, () => current);
    },

    async activateAgent({ operationId, agentId }: OpRef): Promise<ProvisionAgentResult> {
      return step(operationId, 'activate', async () => {
        const agent = await agentOf(agentId);
        const op = await operations.findById(operationId);
        if (!op || !agent.phone_number) throw failure('NOT_READY', 'operation or phone number missing');
        // An operation that ended otherwise (canceled, failed) is not activated after the fact.
        if (op.status === 'failed' || op.status === 'canceled') throw failure('OPERATION_ENDED', `operation ${operationId} already ended as ${op.status}`);
        const seconds = Math.round(((op.completed_at ?? new Date()).getTime() - op.created_at.getTime()) / 100) / 10;
        // Everything that can refuse comes first; the agent turning active is the last write that
        // matters, and after it only the operation's own terminal write, which a retry repeats.
        // The event is written before either, so whoever sees `active` can rely on it existing;
        // a retry re-finds it by its dedupe key.
        const event = await deps.events.append(
          agent.account_id,
          'agent.activated',
          { agent_id: agentId, operation_id: operationId, phone_number: agent.phone_number, status: 'active', platform: agent.platform, provisioning_time_seconds: seconds },
          { dedupeKey: `agent.activated:${operationId}`, agentId },
        );
        const recorded = (event.data.provisioning_time_seconds as number | undefined) ?? seconds;
        await operations.recordProvisioningTime(operationId, recorded);
        await agents.update(agentId, { status: 'active', activated_at: agent.activated_at ?? new Date() });
        // The weekly re-crawl must not cost the business its agent: a schedule that cannot be made
        // now is made when the knowledge base is next read (KnowledgeBaseService.head adopts it).
        await deps.knowledgeBase?.ensureDriftSchedule(agent).catch((err: Error) => Context.current().log.warn('drift schedule not created; adopted at the next KB read', { agent_id: agentId, error: err.message }));
        await operations.complete(operationId, 'active', 'activate', { phone_number: agent.phone_number, provisioning_time_seconds: recorded });
        return { agentId, phoneNumber: agent.phone_number, provisioningTimeSeconds: recorded };
      }, { premarked: true, finishes: true });
    },

    /** Compensation: the platform agent goes; already gone is fine. */
    async removePlatformAgent({ operationId, agentId, step: stepName }: OpRef & { step: string }): Promise<boolean> {
      return asActivity(async () => {
        if (stepName !== 'deploy') await operations.stepStarted(operationId, stepName, Context.current().info.attempt);
        const agent = await agentOf(agentId);
        const adapter = deps.platforms[agent.platform];
        let target: DeployedAgent | null = agent.platform_agent_id
          ? { platform: agent.platform, platform_agent_id: agent.platform_agent_id, knowledge_base_ids: agent.platform_kb_ids }
          : null;
        let credentials: PlatformCredentials | null = null;
        // A create that reached the provider before a crash (or a failure) kept us from storing
        // its ID is found by the dedupe token it carries.
        if (!target && adapter.findAgentByDedupeToken) {
          credentials = await platformCredentials(agent);
          target = await adapter.findAgentByDedupeToken(credentials, dedupeTokenOf(agent));
        }
        if (!target) {
          if (stepName !== 'deploy') await operations.stepFinished(operationId, stepName, 'skipped', 'no platform agent');
          return false;
        }
        await adapter.deleteAgent(credentials ?? (await platformCredentials(agent)), target);
        if (agent.platform_agent_id) await agents.update(agentId, { platform_agent_id: null, platform_kb_ids: [] });
        await operations.stepFinished(operationId, stepName, stepName === 'deploy' ? 'compensated' : 'completed');
        return true;
      }, COMPENSATION_ATTEMPTS, operationId);
    },

    /** Compensation: the number goes back; already released is fine. */
    async releasePhoneNumber({ operationId, agentId, step: stepName }: OpRef & { step: string }): Promise<string | null> {
      return asActivity(async () => {
        if (stepName !== 'number') await operations.stepStarted(operationId, stepName, Context.current().info.attempt);
        const agent = await agentOf(agentId);
        let held: AcquiredNumber | null =
          agent.telephony && agent.telephony_number_id && agent.phone_number
            ? { telephony: agent.telephony, e164: agent.phone_number, provider_number_id: agent.telephony_number_id }
            : null;
        // The same choice of provider assignPhoneNumber makes, then the number bought under our
        // dedupe token: a purchase whose answer we never stored is released too.
        let twilio = null as Awaited<ReturnType<typeof deps.credentials.telephonyCredentials>>;
        if (!held) {
          twilio = agent.telephony === 'local' || agent.platform === 'local' ? null : await deps.credentials.telephonyCredentials(agent.account_id);
          const telephony: TelephonyName = agent.telephony ?? (twilio ? 'twilio' : 'local');
          held = (await deps.telephony[telephony].findNumberByDedupeToken?.(telephony === 'twilio' ? twilio : null, dedupeTokenOf(agent))) ?? null;
        } else if (held.telephony === 'twilio') {
          twilio = await deps.credentials.telephonyCredentials(agent.account_id);
        }
        if (!held) {
          if (stepName !== 'number') await operations.stepFinished(operationId, stepName, 'skipped', 'no number held');
          return null;
        }
        await deps.telephony[held.telephony].releaseNumber(held.telephony === 'twilio' ? twilio : null, held);
        if (agent.telephony_number_id) await agents.update(agentId, { telephony_number_id: null });
        await operations.stepFinished(operationId, stepName, stepName === 'number' ? 'compensated' : 'completed');
        return held.e164;
      }, COMPENSATION_ATTEMPTS, operationId);
    },

    /**
     * The operation's end after a failure or cancel, whatever the undo managed: the undo steps
     * that failed are recorded on it, so the agent ends `failed` (deletable, which retries the
     * cleanup) instead of `provisioning` for ever.
     */
    async failProvisioning({ operationId, agentId, canceled, error, compensationFailures }: OpRef & { canceled: boolean; error: OperationFailureInfo; compensationFailures?: CompensationFailure[] }): Promise<void> {
      await asActivity(async () => {
        const op = await operations.findById(operationId);
        // An activated operation is never reported failed as well.
        if (op?.status === 'active' || op?.status === 'succeeded') return;
        const recorded = compensationFailures?.length ? { ...error, compensation_failures: compensationFailures } : error;
        const agent = await agents.findById(agentId);
        if (error.step) await operations.stepFinished(operationId, error.step, 'failed', error.message.slice(0, 500));
        if (agent) {
          await agents.update(agentId, { status: 'failed', phone_number: agent.telephony_number_id ? agent.phone_number : null });
          await deps.events.append(
            agent.account_id,
            'agent.provisioning_failed',
            { agent_id: agentId, operation_id: operationId, status: canceled ? 'canceled' : 'failed', error },
            { dedupeKey: `agent.provisioning_failed:${operationId}`, agentId },
          );
        }
        await operations.fail(operationId, canceled ? 'canceled' : 'failed', recorded);
      });
    },

    async pushToPlatform({ operationId, agentId }: OpRef): Promise<{ version: number }> {
      return step(operationId, 'push', () => underSyncLock(agentId, operationId, async () => {
        const agent = await agentOf(agentId);
        const pv = await promptVersionOf(agentId, operationId);
        if (!pv) throw failure('PROMPT_VERSION_MISSING', 'no prompt version written by this operation');
        if (!agent.platform_agent_id) throw failure('NOT_DEPLOYED', 'agent has no platform agent');
        const deployed = await deps.platforms[agent.platform].updateAgent(
          await platformCredentials(agent),
          agent.platform_agent_id,
          await deploymentOf(agent, pv, agent.provision_operation_id),
        );
        await agents.update(agentId, { platform_kb_ids: deployed.knowledge_base_ids });
        return { version: pv.version };
      }), { premarked: true, next: () => 'finalize' });
    },

    async finalizeUpdate({ operationId, agentId, changedFields }: OpRef & { changedFields: string[] }): Promise<{ version: number | null }> {
      return step(operationId, 'finalize', async () => {
        const agent = await agentOf(agentId);
        const pv = await promptVersionOf(agentId, operationId);
        const fields = pv ? [...new Set([...changedFields, 'system_prompt_version'])] : changedFields;
        // The event first and the agent's switch to the new version last but one: nothing after
        // the switch can fail the update and leave the agent on a version it was rolled back from.
        await deps.events.append(
          agent.account_id,
          'agent.updated',
          { agent_id: agentId, operation_id: operationId, changed_fields: fields, prompt_version: pv?.version ?? agent.current_prompt_version },
          { dedupeKey: `agent.updated:${operationId}`, agentId },
        );
        await agents.update(agentId, { status: 'active', current_prompt_version: pv?.version ?? agent.current_prompt_version });
        await operations.complete(operationId, 'succeeded', 'finalize', {});
        return { version: pv?.version ?? null };
      }, { premarked: true, finishes: true });
    },

    /**
     * Compensation of an update's push: the platform serves again the version (and the fields)
     * the agent keeps when the update fails, since the push may have landed before it failed.
     */
    async restorePlatformAgent({ operationId, agentId }: OpRef): Promise<boolean> {
      return asActivity(() => underSyncLock(agentId, operationId, async () => {
        const agent = await agentOf(agentId);
        const previous = (await operations.findById(operationId))?.request?.previous as Partial<AgentDoc> | undefined;
        const restored = { ...agent, ...(previous ?? {}) } as AgentDoc;
        const pv = agent.current_prompt_version ? await agents.promptVersionByNumber(agentId, agent.current_prompt_version) : null;
        if (!pv || !agent.platform_agent_id) return false;
        const deployed = await deps.platforms[agent.platform].updateAgent(
          await platformCredentials(agent),
          agent.platform_agent_id,
          await deploymentOf(restored, pv, agent.provision_operation_id),
        );
        await agents.update(agentId, { platform_kb_ids: deployed.knowledge_base_ids });
        return true;
      }), COMPENSATION_ATTEMPTS, operationId);
    },

    /** A failed update leaves the agent as it was: active, on its previous prompt version. */
    async failChange({ operationId, agentId, error, restoreStatus, compensationFailures }: OpRef & { error: OperationFailureInfo; restoreStatus: 'active' | 'failed'; compensationFailures?: CompensationFailure[] }): Promise<void> {
      await asActivity(async () => {
        if (error.step) await operations.stepFinished(operationId, error.step, 'failed', error.message.slice(0, 500));
        // An update that failed leaves the agent as it was, its fields included.
        const previous = (await operations.findById(operationId))?.request?.previous as Partial<AgentDoc> | undefined;
        await agents.update(agentId, { ...(previous ?? {}), status: restoreStatus });
        await operations.fail(operationId, 'failed', compensationFailures?.length ? { ...error, compensation_failures: compensationFailures } : error);
      });
    },

    async finalizeDelete({ operationId, agentId, releasedNumber }: OpRef & { releasedNumber: string | null }): Promise<void> {
      await step(operationId, 'finalize', async () => {
        const agent = await agentOf(agentId);
        // A schedule left behind by a failure here removes itself at its next run (the agent is gone).
        await deps.knowledgeBase?.removeDriftSchedule(agentId).catch((err: Error) => Context.current().log.warn('drift schedule not removed; it removes itself at its next run', { agent_id: agentId, error: err.message }));
        await agents.update(agentId, { status: 'deleted', deleted_at: agent.deleted_at ?? new Date() });
        await deps.events.append(
          agent.account_id,
          'agent.deleted',
          { agent_id: agentId, operation_id: operationId, released_phone_number: releasedNumber ?? agent.phone_number },
          { dedupeKey: `agent.deleted:${operationId}`, agentId },
        );
        await operations.complete(operationId, 'succeeded', 'finalize', {});
      }, { finishes: true });
    },
  };
}

export type AgentActivities = ReturnType<typeof createAgentActivities>;
export type { DeleteAgentInput, ProvisionAgentInput, UpdateAgentInput };
