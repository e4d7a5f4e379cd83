import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config/config';
import { createCore, type Core } from './composition-root';
import { connectDatabase } from './db/database';
import { createLogger } from './logging/logger';
import { connectTemporal, type TemporalHandle } from './temporal/temporal-connection';
import { AgentOpsContextLookup, TemporalAgentWorkflows } from './temporal/agent-workflow-client';
import { TemporalCallWorkflows } from './temporal/call-workflow-client';
import { TemporalWebhookWorkflows } from './temporal/webhook-workflow-client';
import { TemporalKbDriftSchedules } from './temporal/kb-drift-schedules';

export interface Runtime {
  config: Config;
  logger: Logger;
  connection: Connection;
  temporal: TemporalHandle;
  core: Core;
  /** Closes what bootstrap opened; each process closes its own extras (HTTP server, worker connection). */
  close(): Promise<void>;
}

/**
 * What the API and the worker processes share before their own wiring: both must build the core
 * against the same database and Temporal, with indexes in place before serving anything.
 */
export async function bootstrap(serviceName: string): Promise<Runtime> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, serviceName);
  const connection = await connectDatabase(config.mongodbUri);
  const temporal = connectTemporal(config.temporal.address, config.temporal.namespace);
  // The agent workflows' summaries name the agent: looked up from the core built just below.
  let core: Core | undefined;
  const describeOperation: AgentOpsContextLookup = async (operationId, agentId) => {
    const agent = await core?.models.agents.findById(agentId).lean();
    if (!agent) return null;
    const op = await core!.models.operations.findById(operationId, { batch_id: 1 }).lean();
    return { agentName: agent.name, templateId: agent.template_id, platform: agent.platform, businessUrl: agent.business_url, batchId: op?.batch_id ?? null };
  };
  core = createCore(config, connection, logger, {
    workflows: new TemporalAgentWorkflows(temporal.client, config.temporal.taskQueue, describeOperation),
    webhookWorkflows: new TemporalWebhookWorkflows(temporal.client, config.temporal.taskQueue, config.webhooks),
    callWorkflows: new TemporalCallWorkflows(temporal.client, config.temporal.taskQueue),
    kbDriftSchedules: new TemporalKbDriftSchedules(temporal.client, config.temporal.taskQueue),
  });
  await core.ensureIndexes();
  return {
    config,
    logger,
    connection,
    temporal,
    core,
    async close() {
      await Promise.allSettled([connection.close(), temporal.connection.close()]);
    },
  };
}
