import { Context } from '@temporalio/activity';
import type { AgentDoc, PromptVersionDoc } from '../core/agents/agent-model';
import type { AgentService } from '../core/agents/agent-service';
import type { EventLog } from '../core/events/event-log';
import { KnowledgeBaseService, toDeployed } from '../core/knowledge-base/knowledge-base-service';
import type { KbSyncLock } from '../core/knowledge-base/kb-sync-lock';
import type { OperationService } from '../core/operations/operation-service';
import type { PlatformCredentialService } from '../core/platform-credentials/platform-credential-service';
import type { AgentDeployment, KnowledgeDocument, PlatformAdapter, PlatformCredentials, PlatformName } from '../core/platforms/platform-adapter';
import type { OperationFailureInfo } from '../workflows/agent-workflow-types';
import { asActivity, failure } from './activity-errors';

export interface KnowledgeBaseActivityDeps {
  agents: AgentService;
  operations: OperationService;
  events: EventLog;
  knowledgeBase: KnowledgeBaseService;
  /** Held while a sync reads and pushes, so two syncs of one agent never interleave on the platform. */
  syncLock: KbSyncLock;
  platforms: Record<PlatformName, PlatformAdapter>;
  credentials: PlatformCredentialService;
  publicBaseUrl?: string;
}

export interface KbSyncRef {
  operationId: string;
  agentId: string;
}

/** The sync workflow's I/O; each activity is idempotent (a retry pushes the same documents again). */
export function createKnowledgeBaseActivities(deps: KnowledgeBaseActivityDeps) {
  const { agents, operations, knowledgeBase } = deps;

  async function agentOf(agentId: string): Promise<AgentDoc> {
    const agent = await agents.findById(agentId);
    if (!agent) throw failure('AGENT_NOT_FOUND', `agent ${agentId} does not exist`);
    return agent;
  }

  async function platformCredentials(agent: AgentDoc): Promise<PlatformCredentials> {
    if (agent.platform === 'local') return { api_key: 'local' };
    const creds = await deps.credentials.platformCredentials(agent.account_id, agent.platform);
    if (!creds) throw failure('PLATFORM_CREDENTIALS_MISSING', `no ${agent.platform} credentials for this account`);
    return creds;
  }

  /** As the agent activities deploy it (activities/agent-activities.ts deploymentOf), with the KB version's documents. */
  async function deploymentOf(agent: AgentDoc, pv: PromptVersionDoc, knowledge: KnowledgeDocument[]): Promise<AgentDeployment> {
    const notifications =
      deps.publicBaseUrl && agent.platform !== 'local'
        ? { url: `${deps.publicBaseUrl.replace(/\/+$/, '')}/v2/platform-notifications/${agent.platform}/${agent.account_id}`, secret: await deps.credentials.notificationSecret(agent.account_id, agent.platform) }
        : undefined;
    return {
      ...(notifications ? { notifications } : {}),
      name: agent.name,
      system_prompt: pv.system_prompt,
      first_message: pv.first_message,
      voice: agent.voice ?? undefined,
      language: agent.language,
      knowledge_base: knowledge,
      dedupe_token: agent.provision_operation_id,
    };
  }

  async function push(agent: AgentDoc, knowledge: KnowledgeDocument[]): Promise<void> {
    const pv = agent.current_prompt_version ? await agents.promptVersionByNumber(agent._id, agent.current_prompt_version) : null;
    if (!pv) throw failure('PROMPT_VERSION_MISSING', 'the agent has no current prompt version');
    if (!agent.platform_agent_id) throw failure('NOT_DEPLOYED', 'agent has no platform agent');
    const deployed = await deps.platforms[agent.platform].updateAgent(await platformCredentials(agent), agent.platform_agent_id, await deploymentOf(agent, pv, knowledge));
    await agents.update(agent._id, { platform_kb_ids: deployed.knowledge_base_ids });
  }

  return {
    /**
     * Pushes the KB's newest version (read now, not when the sync was asked for: of two syncs
     * racing, the later push carries the newer version). Returns what it pushed.
     */
    async pushKnowledgeBase({ operationId, agentId }: KbSyncRef): Promise<{ version: number; docId: string | null; announce: boolean }> {
      return asActivity(async () => {
        await operations.stepStarted(operationId, 'push', Context.current().info.attempt);
        // The version is read under the lock too: of two syncs, the later push carries the newer one.
        const { version, announce } = await deps.syncLock.withLock(agentId, operationId, async () => {
          const agent = await agentOf(agentId);
          const head = await knowledgeBase.head(agent);
          const newest = await knowledgeBase.latest(agentId, head.version);
          // Pushed even when already served (a manual sync repairs a platform that drifted); pushes are idempotent.
          await push(agent, toDeployed(newest.documents));
          // Marked before the lock goes, so a sync that starts next sees this version as served.
          // Of two syncs that pushed the same version (two quick changes), only the first announces it.
          return { version: newest, announce: await knowledgeBase.markSynced(agentId, newest.version, operationId) };
        });
        await operations.stepFinished(operationId, 'push', 'completed', `knowledge base version ${version.version}`, 'finalize');
        return { version: version.version, docId: version.change.doc_id ?? version.documents[0]?.id ?? null, announce };
      }, 6, operationId);
    },

    /** `announce` absent: a push from before announcements were deduplicated (it always announced). */
    async finishKbSync({ operationId, agentId, version, docId, announce }: KbSyncRef & { version: number; docId: string | null; announce?: boolean }): Promise<void> {
      await asActivity(async () => {
        const agent = await agentOf(agentId);
        if (announce ?? (await knowledgeBase.markSynced(agentId, version, operationId))) {
          await deps.events.append(agent.account_id, 'kb.synced', { agent_id: agentId, doc_id: docId ?? '', version }, { dedupeKey: `kb.synced:${operationId}`, agentId });
        }
        await operations.complete(operationId, 'succeeded', 'finalize', {});
      }, 10, operationId);
    },

    /** Compensation: the platform gets the synced version back (a push may have landed in part). */
    async restoreKnowledgeBase({ operationId, agentId }: KbSyncRef): Promise<boolean> {
      return asActivity(async () => {
        return deps.syncLock.withLock(agentId, operationId, async () => {
          const agent = await agentOf(agentId);
          const served = await knowledgeBase.servedDocuments(agentId);
          if (!served) return false;
          await push(agent, served);
          return true;
        });
      }, 25, operationId);
    },

    async failKbSync({ operationId, error, compensationFailed }: KbSyncRef & { error: OperationFailureInfo; compensationFailed: boolean }): Promise<void> {
      await asActivity(async () => {
        if (error.step) await operations.stepFinished(operationId, error.step, 'failed', error.message.slice(0, 500));
        await operations.fail(
          operationId,
          'failed',
          compensationFailed ? { ...error, compensation_failures: [{ step: 'push', code: 'RESTORE_FAILED', message: 'Restoring the previously synced version failed; the platform may serve a partial update.' }] } : error,
        );
      });
    },
  };
}

export type KnowledgeBaseActivities = ReturnType<typeof createKnowledgeBaseActivities>;
