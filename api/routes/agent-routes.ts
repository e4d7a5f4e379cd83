import { z } from 'zod';
import { AGENT_STATUSES } from '../../core/agents/agent-model';
import { agentPatchSchema, agentPayloadSchema } from '../../core/agents/agent-payload';
import type { AgentService } from '../../core/agents/agent-service';
import type { ProvisioningService } from '../../core/agents/provisioning-service';
import type { QuotaService } from '../../core/quotas/quota-service';

import { pageQuerySchema } from '../../core/pagination/pagination';
import { PLATFORM_NAMES } from '../../core/platforms/platform-adapter';
import { defineRoute, RouteSpec, zodDetails } from '../http/route';
import { listSchema } from '../openapi/common-schemas';
import { acceptedSchema, agentSchema, batchSchema, promptVersionSchema } from './agent-schemas';
import { idParam } from './route-params';

const MAX_BATCH = 100;

const createAgentSchema = z.object({ payload: agentPayloadSchema }).strict().meta({ id: 'CreateAgentRequest' });

/** Items are checked one by one in the handler, so one bad item is rejected alone. */
const batchRequestSchema = z
  .object({ items: z.array(z.object({ payload: z.unknown() })).min(1).max(MAX_BATCH).describe(`1 to ${MAX_BATCH} items, each like POST /v2/agents.`) })
  .strict()
  .meta({ id: 'CreateAgentBatchRequest' });

const agentListQuery = pageQuerySchema.extend({
  status: z.enum(AGENT_STATUSES).optional(),
  platform: z.enum(PLATFORM_NAMES).optional(),
  template_id: z.string().max(64).optional(),
  name: z.string().max(200).optional(),
});

const versionParams = idParam('agent').extend({ version: z.coerce.number().int().min(1) });

export function agentRoutes(deps: { agents: AgentService; provisioning: ProvisioningService; quotas?: QuotaService }): RouteSpec[] {
  /** Every route here that starts operations first checks the account has room for them. */
  const room = (accountId: string, adding = 1) => deps.quotas?.assertOperationRoom(accountId, adding);
  return [
    defineRoute({
      method: 'post',
      path: '/v2/agents',
      operationId: 'createAgent',
      summary: 'Provision an agent (async)',
      description: 'Researches the business site, writes the prompt and knowledge base, deploys to the platform, gets a number. Returns at once with an operation to poll.',
      tag: 'agents',
      scope: 'agents:write',
      body: createAgentSchema,
      errors: ['PLATFORM_NOT_CONFIGURED', 'QUOTA_EXCEEDED'],
      responses: { 202: { description: 'Accepted; poll the operation.', schema: acceptedSchema } },
      async handler({ body, principal, idempotency }) {
        await room(principal.accountId);
        const accepted = await deps.provisioning.provision(principal.accountId, body.payload, { seed: idempotency });
        return { status: 202, body: accepted, headers: { Location: `/v2/operations/${accepted.operation_id}` } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/agents/batch',
      operationId: 'createAgentBatch',
      summary: 'Provision up to 100 agents at once',
      description: 'Each valid item becomes its own operation (its own workflow); an invalid item is rejected alone and listed in `rejected`.',
      tag: 'agents',
      scope: 'agents:write',
      body: batchRequestSchema,
      errors: ['QUOTA_EXCEEDED'],
      responses: { 202: { description: 'The batch; poll GET /v2/batches/{id}.', schema: batchSchema } },
      async handler({ body, principal, idempotency }) {
        const items = body.items.map((item) => {
          const parsed = agentPayloadSchema.safeParse(item.payload);
          return parsed.success ? { payload: parsed.data } : { payload: null, invalid: zodDetails(parsed.error, 'body') };
        });
        // A batch counts its items: each valid one becomes an operation.
        await room(principal.accountId, items.filter((i) => i.payload !== null).length);
        const batch = await deps.provisioning.provisionBatch(principal.accountId, items, idempotency);
        return { status: 202, body: batch, headers: { Location: `/v2/batches/${batch.id}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/agents',
      operationId: 'listAgents',
      summary: 'List agents',
      description: 'Deleted agents are left out unless status=deleted.',
      tag: 'agents',
      scope: 'agents:read',
      query: agentListQuery,
      errors: ['INVALID_CURSOR'],
      responses: { 200: { description: 'A page of agents, newest first.', schema: listSchema(agentSchema, 'AgentList') } },
      async handler({ query, principal }) {
        const { limit, cursor, ...filter } = query;
        return { status: 200, body: await deps.agents.list(principal.accountId, filter, { limit, cursor }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/agents/{id}',
      operationId: 'getAgent',
      summary: 'Get an agent',
      tag: 'agents',
      scope: 'agents:read',
      params: idParam('agent'),
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 200: { description: 'The agent.', schema: agentSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.agents.get(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v2/agents/{id}',
      operationId: 'updateAgent',
      summary: 'Change an agent (async)',
      description: 'Writes a new system-prompt version and pushes it to the platform through a workflow; the agent.updated event lists changed_fields.',
      tag: 'agents',
      scope: 'agents:write',
      params: idParam('agent'),
      body: agentPatchSchema,
      errors: ['NOT_FOUND', 'INVALID_ID', 'CONFLICT', 'QUOTA_EXCEEDED'],
      responses: { 202: { description: 'Accepted; poll the operation.', schema: acceptedSchema } },
      async handler({ params, body, principal, idempotency }) {
        await room(principal.accountId);
        const accepted = await deps.provisioning.update(principal.accountId, params.id, body, idempotency);
        return { status: 202, body: accepted, headers: { Location: `/v2/operations/${accepted.operation_id}` } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v2/agents/{id}',
      operationId: 'deleteAgent',
      summary: 'Deprovision an agent (async)',
      description: 'Deletes the platform agent and releases the number through a workflow.',
      tag: 'agents',
      scope: 'agents:write',
      params: idParam('agent'),
      errors: ['NOT_FOUND', 'INVALID_ID', 'CONFLICT', 'QUOTA_EXCEEDED'],
      responses: { 202: { description: 'Accepted; poll the operation.', schema: acceptedSchema } },
      async handler({ params, principal, idempotency }) {
        await room(principal.accountId);
        const accepted = await deps.provisioning.remove(principal.accountId, params.id, idempotency);
        return { status: 202, body: accepted, headers: { Location: `/v2/operations/${accepted.operation_id}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/agents/{id}/prompt-versions',
      operationId: 'listPromptVersions',
      summary: 'List an agent’s system-prompt versions',
      tag: 'agents',
      scope: 'agents:read',
      params: idParam('agent'),
      query: pageQuerySchema,
      errors: ['NOT_FOUND', 'INVALID_ID', 'INVALID_CURSOR'],
      responses: { 200: { description: 'Versions, newest first.', schema: listSchema(promptVersionSchema, 'PromptVersionList') } },
      async handler({ params, query, principal }) {
        return { status: 200, body: await deps.agents.listPromptVersions(principal.accountId, params.id, query) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/agents/{id}/prompt-versions/{version}/rollback',
      operationId: 'rollbackPromptVersion',
      summary: 'Make an earlier prompt version current again (async)',
      description: 'Copies that version as a new version and pushes it to the platform.',
      tag: 'agents',
      scope: 'agents:write',
      params: versionParams,
      errors: ['NOT_FOUND', 'INVALID_ID', 'CONFLICT', 'QUOTA_EXCEEDED'],
      responses: { 202: { description: 'Accepted; poll the operation.', schema: acceptedSchema } },
      async handler({ params, principal, idempotency }) {
        await room(principal.accountId);
        const accepted = await deps.provisioning.rollback(principal.accountId, params.id, params.version, idempotency);
        return { status: 202, body: accepted, headers: { Location: `/v2/operations/${accepted.operation_id}` } };
      },
    }),
  ];
}

