import { z } from 'zod';
import type { CallBatchService } from '../../core/calls/call-batch-service';
import type { DoNotCallService } from '../../core/calls/do-not-call-service';
import { pageQuerySchema } from '../../core/pagination/pagination';
import { defineRoute, RouteSpec } from '../http/route';
import { listSchema } from '../openapi/common-schemas';
import { callBatchBodySchema, callBatchSchema, doNotCallBodySchema, doNotCallEntrySchema, e164 } from './call-batch-schemas';
import { idParam } from './route-params';

const numberParam = z.object({ number: e164.describe('E.164, URL-encoded (%2B13125550142).') });

export function callBatchRoutes(deps: { batches: CallBatchService; doNotCall: DoNotCallService }): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v2/call-batches',
      operationId: 'createCallBatch',
      summary: 'Call a list of recipients',
      description:
        'A workflow per batch places one outbound call per recipient (each its own call, credit hold and workflow), at most max_concurrency at a time, inside the calling window (the recipient’s zone, else the window’s), retrying no_answer and busy after backoff_minutes. Numbers on the do-not-call list and recipients whose credit hold is refused are skipped and reported. On the local platform each recipient may carry `simulation`.',
      tag: 'calls',
      scope: 'calls:write',
      body: callBatchBodySchema,
      errors: ['NOT_FOUND', 'CONFLICT'],
      responses: { 202: { description: 'The batch, queued.', schema: callBatchSchema } },
      async handler({ body, principal, idempotency }) {
        return { status: 202, body: await deps.batches.create(principal.accountId, body, idempotency) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/call-batches/{id}',
      operationId: 'getCallBatch',
      summary: 'A call batch: counts by status, its recipients and their calls',
      tag: 'calls',
      scope: 'calls:read',
      params: idParam('callBatch'),
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 200: { description: 'The batch.', schema: callBatchSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.batches.get(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/call-batches/{id}/cancel',
      operationId: 'cancelCallBatch',
      summary: 'Cancel a call batch',
      description: 'Recipients not yet called never are (status canceled); calls in flight finish. The batch ends `canceled`.',
      tag: 'calls',
      scope: 'calls:write',
      params: idParam('callBatch'),
      errors: ['NOT_FOUND', 'INVALID_ID', 'CONFLICT'],
      responses: { 202: { description: 'Cancellation requested.', schema: callBatchSchema } },
      async handler({ params, principal }) {
        return { status: 202, body: await deps.batches.cancel(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v2/do-not-call/{number}',
      operationId: 'addDoNotCall',
      summary: 'Put a number on the do-not-call list',
      description: 'POST /v2/calls to it answers 422 DO_NOT_CALL; batches skip it. Listing a number again keeps its first entry.',
      tag: 'calls',
      scope: 'calls:write',
      params: numberParam,
      body: doNotCallBodySchema,
      responses: { 200: { description: 'Already listed.', schema: doNotCallEntrySchema }, 201: { description: 'Listed.', schema: doNotCallEntrySchema } },
      async handler({ params, body, principal }) {
        const { entry, created } = await deps.doNotCall.add(principal.accountId, params.number, body.reason ?? null);
        return { status: created ? 201 : 200, body: entry };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v2/do-not-call/{number}',
      operationId: 'removeDoNotCall',
      summary: 'Take a number off the do-not-call list',
      tag: 'calls',
      scope: 'calls:write',
      params: numberParam,
      errors: ['NOT_FOUND'],
      responses: { 204: { description: 'Removed.' } },
      async handler({ params, principal }) {
        await deps.doNotCall.remove(principal.accountId, params.number);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/do-not-call',
      operationId: 'listDoNotCall',
      summary: 'The do-not-call list',
      tag: 'calls',
      scope: 'calls:read',
      query: pageQuerySchema,
      errors: ['INVALID_CURSOR'],
      responses: { 200: { description: 'A page of listed numbers.', schema: listSchema(doNotCallEntrySchema, 'DoNotCallList') } },
      async handler({ query, principal }) {
        return { status: 200, body: await deps.doNotCall.list(principal.accountId, query) };
      },
    }),
  ];
}
