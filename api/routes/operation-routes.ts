import { z } from 'zod';
import type { ProvisioningService } from '../../core/agents/provisioning-service';
import { OPERATION_STATUSES, OPERATION_TYPES } from '../../core/operations/operation-model';
import type { OperationService } from '../../core/operations/operation-service';
import { pageQuerySchema } from '../../core/pagination/pagination';
import { defineRoute, RouteSpec } from '../http/route';
import { listSchema } from '../openapi/common-schemas';
import { batchSchema, operationSchema } from './agent-schemas';
import { idParam } from './route-params';

const operationListQuery = pageQuerySchema.extend({
  status: z.enum(OPERATION_STATUSES).optional(),
  type: z.enum(OPERATION_TYPES).optional(),
  batch_id: z.string().max(64).optional(),
  agent_id: z.string().max(64).optional(),
});

export function operationRoutes(deps: { operations: OperationService; provisioning: ProvisioningService }): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v2/operations/{id}',
      operationId: 'getOperation',
      summary: 'Poll an operation',
      tag: 'operations',
      scope: 'agents:read',
      params: idParam('operation'),
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 200: { description: 'The operation with each step.', schema: operationSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.operations.get(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/operations',
      operationId: 'listOperations',
      summary: 'List operations',
      tag: 'operations',
      scope: 'agents:read',
      query: operationListQuery,
      errors: ['INVALID_CURSOR'],
      responses: { 200: { description: 'A page of operations, newest first.', schema: listSchema(operationSchema, 'OperationList') } },
      async handler({ query, principal }) {
        const { limit, cursor, ...filter } = query;
        return { status: 200, body: await deps.operations.list(principal.accountId, filter, { limit, cursor }) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/operations/{id}/cancel',
      operationId: 'cancelOperation',
      summary: 'Cancel a provisioning operation',
      description: 'Cancels the workflow; whatever it had set up (platform agent, phone number) is undone. The operation ends as canceled.',
      tag: 'operations',
      scope: 'agents:write',
      params: idParam('operation'),
      errors: ['NOT_FOUND', 'INVALID_ID', 'OPERATION_NOT_CANCELABLE'],
      responses: { 202: { description: 'Cancellation requested; poll until canceled.', schema: operationSchema } },
      async handler({ params, principal }) {
        return { status: 202, body: await deps.provisioning.cancel(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/batches/{id}',
      operationId: 'getBatch',
      summary: 'A batch: counts by status and its operations',
      tag: 'operations',
      scope: 'agents:read',
      params: idParam('batch'),
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 200: { description: 'The batch.', schema: batchSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.provisioning.getBatch(principal.accountId, params.id) };
      },
    }),
  ];
}
