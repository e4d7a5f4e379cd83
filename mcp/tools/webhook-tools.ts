import { z } from 'zod';
import { defineTool, listInput, listOutput, ToolDefinition } from '../tool-kit';

const webhookShape = z.looseObject({
  id: z.string().describe('wh_…'),
  url: z.string(),
  event_types: z.array(z.string()).describe('Empty: every event type.'),
  agent_id: z.string().nullable(),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
});

export const webhookTools: ToolDefinition[] = [
  defineTool({
    name: 'list_webhooks',
    title: 'List webhook subscriptions',
    description: 'Lists the account’s webhook subscriptions (URL, event types, per-agent or all agents, enabled or why disabled), newest first, paged (limit ≤ 100, cursor). Secrets are never shown here. Free, read-only. Scope webhooks:manage.',
    input: listInput,
    output: listOutput(webhookShape),
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(args, { api }) {
      const page = await api.get('/v2/webhooks', { query: args });
      return { structured: page, summary: `${page.data.length} webhook(s)${page.has_more ? '; more with cursor=next_cursor' : ''}.` };
    },
  }),
  defineTool({
    name: 'create_webhook',
    title: 'Subscribe a URL to events',
    description:
      'Creates a webhook: Workforce Wave will POST the chosen events (e.g. agent.activated, call.completed, call.extractions_ready; empty = all the credentials may see) to url, signed per Standard Webhooks. Returns the subscription with its signing secret (whsec_…), shown only in this result: store it. Free. At most 25 per account (QUOTA_EXCEEDED). Safe to retry (idempotency_key derived when omitted). Scope webhooks:manage.',
    input: {
      url: z.string().describe('https URL that receives the events.'),
      event_types: z.array(z.string()).optional().describe('Event types to receive; omit for all.'),
      agent_id: z.string().optional().describe('Only this agent’s events (agt_…); omit for every agent.'),
      description: z.string().optional().describe('Your note on what this subscription is for (≤ 500 characters).'),
    },
    output: { ...webhookShape.shape, secret: z.string().describe('whsec_… signing secret; shown only here.') },
    hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    mutating: true,
    async run(args, { api, idempotencyKey }) {
      const wh = await api.post('/v2/webhooks', { body: args, idempotencyKey });
      return { structured: wh, summary: `Webhook ${wh.id} → ${wh.url} created; its secret is in the structured result (shown once).` };
    },
  }),
];
