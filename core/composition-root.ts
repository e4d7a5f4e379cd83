import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config/config';
import { accountModel } from './accounts/account-model';
import { AccountService } from './accounts/account-service';
import { signingKeyModel } from './auth/signing-key-model';
import { TokenService } from './auth/token-service';
import { idempotencyModel } from './idempotency/idempotency-model';
import { IdempotencyService } from './idempotency/idempotency-service';
import { OutboundHttpClient } from './outbound/outbound-http-client';
import type { OutboundGuardOptions } from './outbound/outbound-url-guard';
import { rateLimitModel } from './rate-limits/rate-limit-model';
import { RateLimitService } from './rate-limits/rate-limit-service';
import { QuotaService } from './quotas/quota-service';
import { streamSlotModel } from './quotas/stream-slot-model';
import { serviceAccountModel } from './service-accounts/service-account-model';
import { ServiceAccountService } from './service-accounts/service-account-service';
import { agentModel, promptVersionModel, researchReportModel } from './agents/agent-model';
import { AgentService } from './agents/agent-service';
import { AgentWorkflowStarter, ProvisioningService } from './agents/provisioning-service';
import { batchModel } from './batches/batch-model';
import { eventClaimModel, eventModel, eventSequenceModel, outboxModel } from './events/event-model';
import { EventLog } from './events/event-log';
import { EventStreamService } from './events/event-stream-service';
import { operationModel, operationStatsModel, TERMINAL_STATUSES } from './operations/operation-model';
import { RetentionRule, retentionSweeps } from './maintenance/retention';
import { retentionProgressModel } from './maintenance/retention-progress-model';
import type { Sweep } from './maintenance/sweeper';
import { OperationService } from './operations/operation-service';
import { platformCredentialModel } from './platform-credentials/platform-credential-model';
import { PlatformCredentialService } from './platform-credentials/platform-credential-service';
import { SecretBox } from './secrets/secret-box';
import { deliveryAttemptModel, replayClaimModel, webhookDeliveryModel, webhookSubscriptionModel } from './webhooks/webhook-model';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher';
import { WebhookService, WebhookWorkflowStarter } from './webhooks/webhook-service';
import { localPlatformAgentModel } from './platforms/local-platform-agent-model';
import { localPhoneNumberModel } from './telephony/local-phone-number-model';
import type { ResearchReport } from './research/research-report';
import { ResearchService } from './research/research-service';
import type { Template } from './templates/template';
import { getTemplate, listTemplates } from './templates/template-catalog';
import { suggestTemplate } from './templates/template-suggester';
import { callClaimModel, callExtractionModel, callModel, callNotificationModel, callTranscriptModel } from './calls/call-model';
import { CallService } from './calls/call-service';
import { CallIngestionService, CallTimings, CallWorkflowStarter } from './calls/call-ingestion-service';
import { TestCallService } from './calls/test-call-service';
import { OutboundCallService } from './calls/outbound-call-service';
import { CallCredit } from './calls/call-credit';
import { LocalNotificationSecrets, localNotificationSecretModel } from './platforms/local-call-simulator';
import { creditSnapshotModel, ledgerModel } from './credit/ledger-model';
import { CreditService } from './credit/credit-service';
import { doNotCallModel } from './calls/do-not-call-model';
import { DoNotCallService } from './calls/do-not-call-service';
import { callBatchModel, callBatchRecipientModel } from './calls/call-batch-model';
import { CallBatchService, CallBatchWorkflowStarter } from './calls/call-batch-service';
import { kbHeadModel, kbProposalModel, kbVersionModel } from './knowledge-base/knowledge-base-model';
import { KbDriftScheduler, KbWorkflowStarter, KnowledgeBaseService } from './knowledge-base/knowledge-base-service';
import { KnowledgeBaseServer } from './knowledge-base/knowledge-base-server';
import { KbProposalService } from './knowledge-base/kb-proposal-service';
import { KbSyncLock, kbSyncLockModel } from './knowledge-base/kb-sync-lock';
import { KbDriftService } from './knowledge-base/kb-drift-service';
import { createProposalDrafter } from './knowledge-base/kb-drafting/drafter-factory';
import type { ProposalDrafter } from './knowledge-base/kb-drafting/proposal-drafter';

/**
 * The one place where the core's services are built and wired. The API, the worker, the CLI and
 * tests all go through here; a test swaps an adapter by passing a different one, not by mocking modules.
 */
export interface Core {
  config: Config;
  logger: Logger;
  connection: Connection;
  accounts: AccountService;
  /** Prepaid credit: the ledger, balances, holds and captures of calls (core/credit/). */
  credit: CreditService;
  serviceAccounts: ServiceAccountService;
  tokens: TokenService;
  idempotency: IdempotencyService;
  rateLimits: RateLimitService;
  /** Per-account quotas (streams, webhooks, service accounts, operations in flight, research). */
  quotas: QuotaService;
  outbound: OutboundHttpClient;
  agents: AgentService;
  operations: OperationService;
  provisioning: ProvisioningService;
  credentials: PlatformCredentialService;
  events: EventLog;
  /**
   * Clients' reads of the log: pages and live streams (GET /v2/events). Its tailer polls only while
   * a stream is open, so building it in a process that serves none (worker, CLI) costs nothing.
   */
  eventStream: EventStreamService;
  calls: CallService;
  /** Platform notifications in (POST /v2/platform-notifications/{platform}/{account_id}). */
  callIngestion: CallIngestionService;
  testCalls: TestCallService;
  /** Calls agents place (POST /v2/calls): credit held, then the call workflow dials. */
  outboundCalls: OutboundCallService;
  /** Each account's do-not-call list (PUT/DELETE/GET /v2/do-not-call). */
  doNotCall: DoNotCallService;
  /** Batches of outbound calls (POST /v2/call-batches): a workflow per batch, a child per call. */
  callBatches: CallBatchService;
  /** Each account's local-platform signing secret (the simulator signs with it, ingestion verifies). */
  localCallSecrets: LocalNotificationSecrets;
  /** Versioned knowledge base per agent, its sync and improvement proposals (core/knowledge-base/). */
  knowledgeBase: KnowledgeBaseService;
  kbProposals: KbProposalService;
  /** Answers Vapi's knowledge-base-request (custom-knowledge-base mode) from each agent's synced KB version. */
  knowledgeBaseServer: KnowledgeBaseServer;
  /** One knowledge-base sync at a time per agent (the sync activities hold it while they push). */
  kbSyncLock: KbSyncLock;
  /** The scheduled re-crawl of each agent's site that files proposals when it changed. */
  kbDrift: KbDriftService;
  models: ReturnType<typeof createModels>;
  templates: TemplateCatalog;
  research: Researcher;
  webhooks: WebhookService;
  /** Retention sweeps (core/maintenance/retention.ts); the worker runs them. */
  retention: Sweep[];
  /** The outbox relay; the worker starts it (tests may too). */
  webhookDispatcher: WebhookDispatcher;
  ensureIndexes(): Promise<void>;
}

export interface TemplateCatalog {
  list(): readonly Template[];
  get(id: string): Template | undefined;
  suggest(report: ResearchReport): ResearchReport['suggested_template'];
}

export interface Researcher {
  research(businessUrl: string, options?: { signal?: AbortSignal }): Promise<ResearchReport>;
}

export interface CoreAdapters {
  /** Temporal in the API and worker; tests may pass their own. */
  workflows: AgentWorkflowStarter;
  webhookWorkflows: WebhookWorkflowStarter;
  callWorkflows: CallWorkflowStarter;
  /** The per-agent drift schedules (Temporal Schedules in the API and worker). */
  kbDriftSchedules: KbDriftScheduler;
  research: Researcher;
  /** Guard options over the configuration's (a DNS resolver, an address allow-list): how tests rebind a name. */
  outboundGuard: Partial<OutboundGuardOptions>;
  /** Drafts KB proposal answers; by default the LLM one when LLM_* is configured, else deterministic. */
  kbDrafter: ProposalDrafter;
}

function createModels(connection: Connection) {
  return {
    accounts: accountModel(connection),
    serviceAccounts: serviceAccountModel(connection),
    signingKeys: signingKeyModel(connection),
    idempotency: idempotencyModel(connection),
    rateLimits: rateLimitModel(connection),
    streamSlots: streamSlotModel(connection),
    agents: agentModel(connection),
    promptVersions: promptVersionModel(connection),
    researchReports: researchReportModel(connection),
    operations: operationModel(connection),
    operationStats: operationStatsModel(connection),
    batches: batchModel(connection),
    events: eventModel(connection),
    eventSequences: eventSequenceModel(connection),
    eventClaims: eventClaimModel(connection),
    outbox: outboxModel(connection),
    platformCredentials: platformCredentialModel(connection),
    localPlatformAgents: localPlatformAgentModel(connection),
    localPhoneNumbers: localPhoneNumberModel(connection),
    webhookSubscriptions: webhookSubscriptionModel(connection),
    webhookDeliveries: webhookDeliveryModel(connection),
    deliveryAttempts: deliveryAttemptModel(connection),
    webhookReplayClaims: replayClaimModel(connection),
    retentionProgress: retentionProgressModel(connection),
    calls: callModel(connection),
    callTranscripts: callTranscriptModel(connection),
    callExtractions: callExtractionModel(connection),
    callClaims: callClaimModel(connection),
    callNotifications: callNotificationModel(connection),
    localNotificationSecrets: localNotificationSecretModel(connection),
    creditLedger: ledgerModel(connection),
    creditSnapshots: creditSnapshotModel(connection),
    doNotCall: doNotCallModel(connection),
    callBatches: callBatchModel(connection),
    callBatchRecipients: callBatchRecipientModel(connection),
    kbVersions: kbVersionModel(connection),
    kbHeads: kbHeadModel(connection),
    kbProposals: kbProposalModel(connection),
    kbSyncLocks: kbSyncLockModel(connection),
  };
}

/**
 * What is swept, and what never is: agents, their prompt versions and their current research
 * report, webhook subscriptions and unfinished work stay; the log and its bookkeeping go.
 */
function retentionRules(models: ReturnType<typeof createModels>, config: Config): RetentionRule<any>[] {
  const r = config.retention;
  const unsettledDelivery = (d: { status: string }) => d.status === 'pending' || d.status === 'retrying';
  return [
    { name: 'events', model: models.events, retentionMs: r.eventsMs },
    { name: 'event_claims', model: models.eventClaims, retentionMs: r.eventsMs },
    { name: 'webhook_deliveries', model: models.webhookDeliveries, retentionMs: r.webhookDeliveriesMs, keep: unsettledDelivery },
    { name: 'webhook_delivery_attempts', model: models.deliveryAttempts, retentionMs: r.webhookDeliveriesMs },
    { name: 'webhook_replay_claims', model: models.webhookReplayClaims, retentionMs: r.webhookDeliveriesMs },
    { name: 'research_reports', model: models.researchReports, retentionMs: r.researchReportsMs, keep: async (d: { _id: string }) => !!(await models.agents.exists({ research_report_id: d._id })) },
    { name: 'operations', model: models.operations, retentionMs: r.operationsMs, keep: (d: { status: never }) => !TERMINAL_STATUSES.has(d.status) },
    { name: 'batches', model: models.batches, retentionMs: r.operationsMs },
    // The raw notifications (audit); the calls, transcripts and extractions made from them stay.
    { name: 'call_notifications', model: models.callNotifications, retentionMs: r.callNotificationsMs },
  ];
}

/** Until a real starter is wired (CLI), agent changes are refused rather than silently queued. */
const noWebhookWorkflows: WebhookWorkflowStarter = {
  startDelivery: () => Promise.reject(new Error('no workflow engine in this process')),
  startManualRetry: () => Promise.reject(new Error('no workflow engine in this process')),
  workflowState: () => Promise.reject(new Error('no workflow engine in this process')),
};

const noCallWorkflows: CallWorkflowStarter = {
  signalWithStart: () => Promise.reject(new Error('no workflow engine in this process')),
  start: () => Promise.reject(new Error('no workflow engine in this process')),
  cancel: () => Promise.reject(new Error('no workflow engine in this process')),
};

const noCallBatchWorkflows: CallBatchWorkflowStarter = {
  startBatch: () => Promise.reject(new Error('no workflow engine in this process')),
  cancelBatch: () => Promise.reject(new Error('no workflow engine in this process')),
};

/**
 * A process without a Temporal client (the CLI, a benchmark wiring only agent workflows) keeps no
 * drift schedules: activation must not fail there for want of one. The API and worker wire the real one.
 */
const noDriftSchedules: KbDriftScheduler = { apply: async () => undefined, remove: async () => undefined };

const noWorkflows: AgentWorkflowStarter = {
  startProvision: () => Promise.reject(new Error('no workflow engine in this process')),
  startUpdate: () => Promise.reject(new Error('no workflow engine in this process')),
  startDelete: () => Promise.reject(new Error('no workflow engine in this process')),
  cancel: () => Promise.reject(new Error('no workflow engine in this process')),
} satisfies AgentWorkflowStarter;

export function createCore(config: Config, connection: Connection, logger: Logger, adapters: Partial<CoreAdapters> = {}): Core {
  const models = createModels(connection);
  const serviceAccounts = new ServiceAccountService(models.serviceAccounts);
  const agents = new AgentService(models.agents, models.promptVersions);
  const operations = new OperationService(models.operations, models.operationStats);
  const box = new SecretBox(models.signingKeys, config.encryptionKeys);
  const credentials = new PlatformCredentialService(models.platformCredentials, box);
  const guard = { allowPrivateNetworks: config.allowPrivateNetworks, allowedPorts: config.outboundPorts, ownUrls: config.publicBaseUrl ? [config.publicBaseUrl] : [], ...adapters.outboundGuard };
  const outbound = new OutboundHttpClient(guard);
  const events = new EventLog(models.events, models.eventSequences, models.eventClaims, models.outbox);
  const webhookWorkflows = adapters.webhookWorkflows ?? noWebhookWorkflows;
  const rateLimits = new RateLimitService(models.rateLimits, config.rateLimit);
  const tokens = new TokenService(serviceAccounts, models.signingKeys, config.tokenTtlSeconds, config.tokenSigningKeys);
  const quotas = new QuotaService(models, config.quotas, rateLimits);
  const eventStream = new EventStreamService({ events: models.events, sequences: models.eventSequences, tokens, logger, settings: config.events, quotas });
  const webhooks = new WebhookService(models.webhookSubscriptions, models.webhookDeliveries, models.deliveryAttempts, box, guard, { secretGraceSeconds: config.webhooks.secretGraceSeconds }, webhookWorkflows, logger);
  const calls = new CallService(
    { calls: models.calls, transcripts: models.callTranscripts, extractions: models.callExtractions, claims: models.callClaims, notifications: models.callNotifications },
    box,
    (config.publicBaseUrl ?? config.apiInternalUrl).replace(/\/+$/, ''),
  );
  const callWorkflows = adapters.callWorkflows ?? noCallWorkflows;
  const callTimings: CallTimings = { endWaitSeconds: config.calls.endWaitSeconds, pollIntervalSeconds: config.calls.pollIntervalSeconds, maxPolls: config.calls.maxPolls };
  const localCallSecrets = new LocalNotificationSecrets(models.localNotificationSecrets, box);
  const credit = new CreditService(models.creditLedger, models.creditSnapshots, events, config.credit);
  const doNotCall = new DoNotCallService(models.doNotCall);
  const agentWorkflows = adapters.workflows ?? noWorkflows;
  const kbWorkflows: KbWorkflowStarter = { startKbSync: (input) => (agentWorkflows.startKbSync ? agentWorkflows.startKbSync(input) : Promise.reject(new Error('no workflow engine in this process'))) };
  const knowledgeBase = new KnowledgeBaseService({
    agents: models.agents,
    promptVersions: models.promptVersions,
    versions: models.kbVersions,
    heads: models.kbHeads,
    operations,
    workflows: kbWorkflows,
    driftSchedules: adapters.kbDriftSchedules ?? noDriftSchedules,
    driftDefaults: { enabled: true, interval_days: config.kbDriftIntervalDays },
  });
  const research = adapters.research ?? new ResearchService(outbound);
  const batchWorkflows = 'startBatch' in callWorkflows ? (callWorkflows as unknown as CallBatchWorkflowStarter) : noCallBatchWorkflows;
  const core: Core = {
    // The proposal service is read when a check files, by then built just below.
    kbDrift: new KbDriftService({ agents: models.agents, promptVersions: models.promptVersions, knowledgeBase, proposals: () => core.kbProposals, research }),
    calls,
    callIngestion: new CallIngestionService({ calls, accounts: models.accounts, agents: models.agents, credentials, localSecrets: localCallSecrets, workflows: callWorkflows, timings: callTimings, logger }),
    testCalls: new TestCallService(agents, calls, callWorkflows, callTimings),
    outboundCalls: new OutboundCallService(agents, calls, callWorkflows, new CallCredit(credit), callTimings, doNotCall),
    doNotCall,
    callBatches: new CallBatchService({ batches: models.callBatches, recipients: models.callBatchRecipients }, agents, calls, new CallCredit(credit), doNotCall, batchWorkflows, callTimings, config.calls.batchRecipientsPerRun),
    localCallSecrets,
    webhooks,
    webhookDispatcher: new WebhookDispatcher(models.outbox, models.events, models.webhookSubscriptions, webhooks, webhookWorkflows, events, logger, config.outboxPollMs),
    retention: retentionSweeps(retentionRules(models, config), models.retentionProgress, { firstLookbackDays: config.retention.firstLookbackDays }),
    models,
    templates: { list: listTemplates, get: getTemplate, suggest: suggestTemplate },
    research,
    knowledgeBase,
    knowledgeBaseServer: new KnowledgeBaseServer({ accounts: models.accounts, agents: models.agents, agentService: agents, credentials, knowledgeBase }),
    kbSyncLock: new KbSyncLock(models.kbSyncLocks),
    kbProposals: new KbProposalService({ proposals: models.kbProposals, researchReports: models.researchReports, knowledgeBase, calls, events, drafter: adapters.kbDrafter ?? createProposalDrafter(config.llm, logger) }),
    agents,
    operations,
    credentials,
    events,
    eventStream,
    provisioning: new ProvisioningService(agents, models.agents, operations, models.batches, credentials, adapters.workflows ?? noWorkflows, guard, logger),
    config,
    logger,
    connection,
    accounts: new AccountService(models.accounts, credit),
    credit,
    serviceAccounts,
    tokens,
    idempotency: new IdempotencyService(models.idempotency, box, config.idempotencyLockMs),
    rateLimits,
    quotas,
    outbound,
    async ensureIndexes() {
      for (const model of Object.values(models)) await model.createIndexes();
    },
  };
  return core;
}
