import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { SCOPES } from '../../core/auth/scopes';
import { EVENT_SCHEMAS } from '../../core/events/event-types';
import { ERROR_CODES, RECOVERY_ACTIONS } from '../../core/errors/errors';

/** Each event type as an OpenAPI 3.1 `webhooks` entry: what your endpoint receives. */
function registerEventWebhooks(registry: OpenAPIRegistry): void {
  for (const [type, spec] of Object.entries(EVENT_SCHEMAS)) {
    const id = type.replace(/(^|[._])(\w)/g, (_m, _sep, c: string) => c.toUpperCase());
    const envelope = z
      .object({
        webhook_id: z.string().describe('The subscription (wh_…).'),
        event_id: z.string(),
        event_type: z.literal(type),
        created_at: z.string(),
        idempotency_key: z.string().describe('Stable for this event at this endpoint across every retry (= webhook-id header).'),
        data: spec.data,
      })
      .meta({ id: `${id}Event` });
    registry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `on${id}`,
      summary: spec.description,
      description: 'Signed per Standard Webhooks: headers webhook-id, webhook-timestamp, webhook-signature (v1,<base64 HMAC-SHA256 of "id.timestamp.body">). Answer 2xx within 15 s; anything else is retried (5 attempts, exponential backoff with jitter); 410 disables the subscription.',
      tags: ['webhooks'],
      security: [{ webhookSignature: [] }],
      request: { body: { content: { 'application/json': { schema: envelope } } } },
      responses: { 200: { description: 'Any 2xx acknowledges the delivery.' }, 410: { description: 'Gone: the subscription is disabled.' } },
    });
  }
}

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registerEventWebhooks(registry);
  registry.registerComponent('securitySchemes', 'oauth2', {
    type: 'oauth2',
    description: 'Service-account client credentials (RFC 6749 §4.4).',
    flows: { clientCredentials: { tokenUrl: '/v2/auth/token', scopes: { ...SCOPES } } },
  });
  registry.registerComponent('securitySchemes', 'webhookSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description: 'On deliveries to your endpoint: verify it with your whsec_ secret (any Standard Webhooks library does).',
  });
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token from /v2/auth/token, or the service account secret key (sk_live_…) itself.',
  });
  return registry;
}

const errorTable = Object.entries(ERROR_CODES)
  .map(([code, spec]) => `| \`${code}\` | ${spec.status} | ${spec.retryable} | \`${spec.recovery}\` | ${spec.description} |`)
  .join('\n');
const recoveryTable = Object.entries(RECOVERY_ACTIONS)
  .map(([action, text]) => `| \`${action}\` | ${text} |`)
  .join('\n');

export function generateDocument(registry: OpenAPIRegistry, serverUrl = '/'): Record<string, unknown> {
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Workforce Wave API',
      version: '2.0.0',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      description: [
        'The API AI agents use to create and run phone voice agents.',
        '',
        '## Errors',
        'Every error has the shape `{"error":{"code","message","retryable","retry_after?","recovery","request_id","details"}}`.',
        '',
        '| code | status | retryable | recovery | meaning |',
        '|---|---|---|---|---|',
        errorTable,
        '',
        '## Recovery actions',
        '| recovery | what to do |',
        '|---|---|',
        recoveryTable,
        '',
        '## Conventions',
        '- Idempotency-Key on any mutating request: same key and request within 24 h returns the first response with `Idempotent-Replayed: true`.',
        '- Lists return `{"data","has_more","next_cursor"}`, newest first; pass `cursor` and `limit` (1-100, default 20).',
        '- Rate limits per credential are advertised in `RateLimit-Policy` and `RateLimit` headers.',
      ].join('\n'),
    },
    servers: [{ url: serverUrl }],
    tags: [
      { name: 'auth', description: 'Access tokens.' },
      { name: 'service-accounts', description: 'Credentials for bots.' },
      { name: 'account', description: 'The calling account.' },
      { name: 'credit', description: 'Prepaid credit: balance and usage.' },
      { name: 'agents', description: 'Voice agents: provision, change, deprovision.' },
      { name: 'operations', description: 'Async operations and batches.' },
      { name: 'templates', description: 'Industry verticals.' },
      { name: 'scout', description: 'Research a business without provisioning.' },
      { name: 'platform-credentials', description: 'Per-account credentials for voice platforms and Twilio.' },
      { name: 'events', description: 'The event log: live stream, polling list, event types.' },
      { name: 'webhooks', description: 'Signed, retried deliveries of events to your endpoints.' },
      { name: 'meta', description: 'Health and the API description.' },
    ],
  }) as unknown as Record<string, unknown>;
}
