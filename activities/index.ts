import type { Core } from '../core/composition-root';
import { createAgentGenerator } from '../core/generation/generator-factory';
import type { PlatformAdapter, PlatformName } from '../core/platforms/platform-adapter';
import { createPlatformAdapters } from '../core/platforms/platform-registry';
import type { TelephonyAdapter, TelephonyName } from '../core/telephony/telephony-adapter';
import { createTelephonyAdapters } from '../core/telephony/telephony-registry';
import { createAgentActivities } from './agent-activities';
import { createWebhookActivities } from './webhook-activities';
import { createCallActivities } from './call-activities';
import { createCallExtractor } from '../core/calls/extraction/extractor-factory';
import type { CallExtractor } from '../core/calls/call-types';
import { LocalCallSimulator } from '../core/platforms/local-call-simulator';
import { CallCredit } from '../core/calls/call-credit';
import { createCallBatchActivities } from './call-batch-activities';
import { createKnowledgeBaseActivities } from './knowledge-base-activities';
import { createKbDriftActivities } from './kb-drift-activities';

export interface ActivityOverrides {
  platforms?: Partial<Record<PlatformName, PlatformAdapter>>;
  /** The post-call extractor (tests make one fail). */
  extractor?: CallExtractor;
  telephony?: Partial<Record<TelephonyName, TelephonyAdapter>>;
}

/** Every activity the worker registers, built from the core's services and the provider adapters. */
export function createActivities(core: Core, overrides: ActivityOverrides = {}) {
  const platforms = { ...createPlatformAdapters({ connection: core.connection, localLatencyMs: core.config.localPlatformLatencyMs }), ...overrides.platforms };
  return {
    ...createCallActivities({
      calls: core.calls,
      agents: core.models.agents,
      researchReports: core.models.researchReports,
      templates: core.templates,
      events: core.events,
      extractor: overrides.extractor ?? createCallExtractor({ llmBaseUrl: core.config.llm.baseUrl, llmApiKey: core.config.llm.apiKey, llmModel: core.config.llm.model }),
      platforms,
      credentials: core.credentials,
      simulator: new LocalCallSimulator(core.localCallSecrets, () => core.config.apiInternalUrl),
      masksSensitiveData: async (accountId) => (await core.accounts.settings(accountId)).mask_sensitive_data,
      locale: { timezone: core.config.calls.defaultTimezone, country: core.config.calls.defaultCountry },
      billing: new CallCredit(core.credit),
      localTimeScale: core.config.calls.localTimeScale,
    }),
    ...createAgentActivities({
      agents: core.agents,
      operations: core.operations,
      events: core.events,
      researchReports: core.models.researchReports,
      research: core.research,
      templates: core.templates,
      generator: createAgentGenerator({ llmBaseUrl: core.config.llm.baseUrl, llmApiKey: core.config.llm.apiKey, llmModel: core.config.llm.model }),
      platforms,
      telephony: { ...createTelephonyAdapters({ connection: core.connection }), ...overrides.telephony },
      credentials: core.credentials,
      publicBaseUrl: core.config.publicBaseUrl,
      knowledgeBase: core.knowledgeBase,
      syncLock: core.kbSyncLock,
    }),
    ...createKnowledgeBaseActivities({
      agents: core.agents,
      operations: core.operations,
      events: core.events,
      knowledgeBase: core.knowledgeBase,
      syncLock: core.kbSyncLock,
      platforms,
      credentials: core.credentials,
      publicBaseUrl: core.config.publicBaseUrl,
    }),
    ...createKbDriftActivities({ drift: core.kbDrift }),
    ...createCallBatchActivities({ batches: core.callBatches }),
    ...createWebhookActivities({
      subscriptions: core.models.webhookSubscriptions,
      deliveries: core.models.webhookDeliveries,
      attempts: core.models.deliveryAttempts,
      webhooks: core.webhooks,
      outbound: core.outbound,
      settings: { timeoutMs: core.config.webhooks.timeoutMs, disableAfterSeconds: core.config.webhooks.disableAfterSeconds },
    }),
  };
}
