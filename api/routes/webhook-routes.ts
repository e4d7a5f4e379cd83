import { z } from 'zod';
import { EVENT_TYPES } from '../../core/events/event-types';
import { isId } from '../../core/ids/ids';
import { pageQuerySchema } from '../../core/pagination/pagination';
import type { AgentService } from '../../core/agents/agent-service';
import { permittedEventTypes, WebhookService } from '../../core/webhooks/webhook-service';
import { defineRoute, RouteSpec } from '../http/route';
import { listSchema } from '../openapi/common-schemas';
import { idParam } from './route-params';
import type { QuotaService } from '../../core/quotas/quota-service';

const eventTypesSchema = z
  .array(z.enum(EVENT_TYPES as [string, ...string[]]))
  .max(EVENT_TYPES.length)
  .describe('Event types to receive; empty or absent means all.');

const webhookSchema = z
  .object({
    object: z.literal('webhook'),
    id: z.string(),
    url: z.string(),
    event_types: z.array(z.string()),
    agent_id: z.string().nullable().describe('Per-agent subscription; null means every agent of the account.'),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    disabled_at: z.string().nullable(),
    failing_since: z.string().nullable(),
    secret_rotation_expires_at: z.string().nullable().describe('While set, deliveries carry a second signature made with the previous secret.'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Webhook' });

const webhookWithSecretSchema = webhookSchema
  .extend({ secret: z.string().describe('whsec_… signing secret (Standard Webhooks); shown only in this response.') })
  .meta({ id: 'WebhookWithSecret' });

const attemptSchema = z.object({
  number: z.number().int(),
  trigger: z.enum(['scheduled', 'manual']),
  attempted_at: z.string(),
  http_status: z.number().int().nullable(),
  latency_ms: z.number(),
  error: z.string().nullable(),
  response_body: z.string().nullable().describe('The first 4 KB of what the endpoint answered.'),
  response_truncated: z.boolean(),
});

const deliverySchema = z
  .object({
    object: z.literal('webhook_delivery'),
    id: z.string().describe('dlv_…; also the webhook-id header and the envelope idempotency_key.'),
    webhook_id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(['pending', 'retrying', 'succeeded', 'failed', 'abandoned']),
    attempt_count: z.number().int(),
    last_attempt_at: z.string().nullable(),
    last_http_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: z.string().nullable(),
    created_at: z.string(),
    attempts: z.array(attemptSchema).optional(),
  })
  .meta({ id: 'WebhookDelivery' });

const urlSchema = z.string().url().max(2048).describe('https URL (http is accepted only in dev/test).');
const createSchema = z
  .object({
    url: urlSchema,
    event_types: eventTypesSchema.optional(),
    agent_id: z.string().refine((v) => isId('agent', v), 'must be an agent ID (agt_…)').optional(),
    description: z.string().max(500).optional(),
  })
  .strict()
  .meta({ id: 'CreateWebhookRequest' });
const patchSchema = z
  .object({ url: urlSchema.optional(), event_types: eventTypesSchema.optional(), enabled: z.boolean().optional(), description: z.string().max(500).nullable().optional() })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'send at least one field to change' })
  .meta({ id: 'UpdateWebhookRequest' });

const deliveryParams = idParam('webhook').extend({ delivery_id: z.string().refine((v) => isId('delivery', v), 'must be a delivery ID (dlv_…)') });
const deliveryListQuery = pageQuerySchema.extend({
  status: z.enum(['pending', 'retrying', 'succeeded', 'failed', 'abandoned']).optional(),
  event_type: z.string().max(64).optional(),
});

export function webhookRoutes(deps: { webhooks: WebhookService; agents: AgentService; quotas?: QuotaService }): RouteSpec[] {
  const scope = 'webhooks:manage' as const;
  return [
    defineRoute({
      method: 'post',
      path: '/v2/webhooks',
      operationId: 'createWebhook',
      summary: 'Subscribe an endpoint to events',
      description: 'Deliveries are signed per Standard Webhooks with the returned secret (shown once).',
      tag: 'webhooks',
      scope,
      body: createSchema,
      errors: ['NOT_FOUND', 'INSUFFICIENT_SCOPE', 'QUOTA_EXCEEDED'],
      responses: { 201: { description: 'Created; the secret is shown only here.', schema: webhookWithSecretSchema } },
      async handler({ body, principal }) {
        await deps.quotas?.assertWebhookRoom(principal.accountId);
        // A per-agent subscription must name one of the caller's agents (404 otherwise, as everywhere).
        if (body.agent_id) await deps.agents.find(principal.accountId, body.agent_id, { includeDeleted: false });
        const created = await deps.webhooks.create(principal.accountId, { ...body, event_types: permittedEventTypes(principal.scopes, body.event_types) });
        return { status: 201, body: created, headers: { Location: `/v2/webhooks/${created.id}`, 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/webhooks',
      operationId: 'listWebhooks',
      summary: 'List webhook subscriptions',
      tag: 'webhooks',
      scope,
      query: pageQuerySchema,
      errors: ['INVALID_CURSOR'],
      responses: { 200: { description: 'A page of subscriptions, newest first.', schema: listSchema(webhookSchema, 'WebhookList') } },
      async handler({ query, principal }) {
        return { status: 200, body: await deps.webhooks.list(principal.accountId, query) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/webhooks/{id}',
      operationId: 'getWebhook',
      summary: 'Get a webhook subscription',
      tag: 'webhooks',
      scope,
      params: idParam('webhook'),
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 200: { description: 'The subscription.', schema: webhookSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.webhooks.get(principal.accountId, params.id) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v2/webhooks/{id}',
      operationId: 'updateWebhook',
      summary: 'Change URL, event types, description, or enable/disable',
      description: 'Needs every scope the subscription’s event types need (an empty list means all types), besides webhooks:manage; so do rotate-secret, test and delivery retry.',
      tag: 'webhooks',
      scope,
      params: idParam('webhook'),
      body: patchSchema,
      errors: ['NOT_FOUND', 'INVALID_ID', 'INSUFFICIENT_SCOPE'],
      responses: { 200: { description: 'The subscription.', schema: webhookSchema } },
      async handler({ params, body, principal }) {
        return { status: 200, body: await deps.webhooks.update(principal.accountId, principal.scopes, params.id, body) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v2/webhooks/{id}',
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook subscription',
      tag: 'webhooks',
      scope,
      params: idParam('webhook'),
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 204: { description: 'Deleted; pending deliveries are abandoned.' } },
      async handler({ params, principal }) {
        await deps.webhooks.remove(principal.accountId, params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/webhooks/{id}/rotate-secret',
      operationId: 'rotateWebhookSecret',
      summary: 'Rotate the signing secret',
      description: 'Returns the new secret once. Until secret_rotation_expires_at, deliveries carry both signatures (space-separated in webhook-signature).',
      tag: 'webhooks',
      scope,
      params: idParam('webhook'),
      errors: ['NOT_FOUND', 'INVALID_ID', 'INSUFFICIENT_SCOPE'],
      responses: { 200: { description: 'The subscription with its new secret.', schema: webhookWithSecretSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.webhooks.rotateSecret(principal.accountId, principal.scopes, params.id), headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/webhooks/{id}/test',
      operationId: 'testWebhook',
      summary: 'Send a signed test event (webhook.test)',
      tag: 'webhooks',
      scope,
      params: idParam('webhook'),
      errors: ['NOT_FOUND', 'INVALID_ID', 'INSUFFICIENT_SCOPE'],
      responses: { 202: { description: 'The delivery; poll it to see the outcome.', schema: deliverySchema } },
      async handler({ params, principal }) {
        return { status: 202, body: await deps.webhooks.sendTest(principal.accountId, principal.scopes, params.id) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/webhooks/{id}/deliveries',
      operationId: 'listWebhookDeliveries',
      summary: 'Deliveries to this endpoint',
      tag: 'webhooks',
      scope,
      params: idParam('webhook'),
      query: deliveryListQuery,
      errors: ['NOT_FOUND', 'INVALID_ID', 'INVALID_CURSOR'],
      responses: { 200: { description: 'A page of deliveries, newest first.', schema: listSchema(deliverySchema, 'WebhookDeliveryList') } },
      async handler({ params, query, principal }) {
        const { limit, cursor, ...filter } = query;
        return { status: 200, body: await deps.webhooks.listDeliveries(principal.accountId, params.id, filter, { limit, cursor }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/webhooks/{id}/deliveries/{delivery_id}',
      operationId: 'getWebhookDelivery',
      summary: 'A delivery with every attempt',
      tag: 'webhooks',
      scope,
      params: deliveryParams,
      errors: ['NOT_FOUND', 'INVALID_ID'],
      responses: { 200: { description: 'The delivery and its attempts.', schema: deliverySchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await deps.webhooks.getDelivery(principal.accountId, params.id, params.delivery_id) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v2/webhooks/{id}/deliveries/{delivery_id}/retry',
      operationId: 'retryWebhookDelivery',
      summary: 'Replay a delivery now (one manual attempt)',
      tag: 'webhooks',
      scope,
      params: deliveryParams,
      errors: ['NOT_FOUND', 'INVALID_ID', 'CONFLICT', 'INSUFFICIENT_SCOPE'],
      responses: { 202: { description: 'Replay started; poll the delivery.', schema: deliverySchema } },
      async handler({ params, principal }) {
        return { status: 202, body: await deps.webhooks.retryDelivery(principal.accountId, principal.scopes, params.id, params.delivery_id) };
      },
    }),
  ];
}
