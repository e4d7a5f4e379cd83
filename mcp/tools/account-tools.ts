import { z } from 'zod';
import { defineTool, ToolDefinition } from '../tool-kit';

export const accountTools: ToolDefinition[] = [
  defineTool({
    name: 'get_balance',
    title: 'Get the prepaid credit balance',
    description: 'Returns the account’s prepaid call credit: available_usd (what new calls can use), reserved_usd (held for calls in progress), minutes_remaining and the per-minute rate. Check before place_call. Free, read-only. Scope account:admin.',
    input: {},
    output: {
      available_usd: z.number(),
      reserved_usd: z.number(),
      minutes_remaining: z.number(),
      rate_per_minute_usd: z.number(),
    },
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(_args, { api }) {
      const b = await api.get('/v2/balance');
      return { structured: b, summary: `Available $${b.available_usd} (${b.minutes_remaining} min at $${b.rate_per_minute_usd}/min), reserved $${b.reserved_usd}.` };
    },
  }),
];
