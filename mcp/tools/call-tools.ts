import { z } from 'zod';
import { CALL_STATUSES } from '../constants';
import { defineTool, listInput, listOutput, seg, ToolDefinition } from '../tool-kit';
import { callShape } from './shapes';

/** Transcript pages: at most this many turns, and at most TRANSCRIPT_PAGE_CHARS characters of turn text. */
export const TRANSCRIPT_TURNS_MAX = 100;
export const TRANSCRIPT_TURNS_DEFAULT = 50;
export const TRANSCRIPT_PAGE_CHARS = 40_000;

const turnInput = z.object({
  role: z.enum(['agent', 'caller']),
  text: z.string().describe('What was said (≤ 2,000 characters).'),
  start_seconds: z.number().optional(),
  end_seconds: z.number().optional(),
});

export const callTools: ToolDefinition[] = [
  defineTool({
    name: 'list_calls',
    title: 'List calls',
    description: 'Lists the account’s calls, newest first, one page at a time (limit ≤ 100; pass next_cursor back as cursor). Filters: agent_id, direction, status, disposition, from/to (ISO 8601, on the call’s start). Each call has status, numbers, duration, disposition and extraction_status. Free, read-only. Scope calls:read.',
    input: {
      ...listInput,
      agent_id: z.string().optional().describe('Only this agent’s calls (agt_…).'),
      direction: z.enum(['inbound', 'outbound']).optional().describe('Only inbound or only outbound calls.'),
      status: z.enum(CALL_STATUSES).optional().describe('Only calls in this status.'),
      disposition: z.string().optional().describe('Only calls with this disposition (one of the template’s, e.g. appointment_booked).'),
      from: z.string().optional().describe('Calls that started at or after this time (ISO 8601).'),
      to: z.string().optional().describe('Calls that started at or before this time (ISO 8601).'),
    },
    output: listOutput(callShape),
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(args, { api }) {
      const page = await api.get('/v2/calls', { query: args });
      return { structured: page, summary: `${page.data.length} call(s)${page.has_more ? '; more with cursor=next_cursor' : ''}.` };
    },
  }),
  defineTool({
    name: 'get_call_transcript',
    title: 'Read a call’s transcript',
    description: `Returns a call’s transcript turn by turn ({role: agent|caller, text, start_seconds, end_seconds}), paged: offset (default 0) and limit (default ${TRANSCRIPT_TURNS_DEFAULT}, at most ${TRANSCRIPT_TURNS_MAX} turns; a page also stops at ${TRANSCRIPT_PAGE_CHARS.toLocaleString('en')} characters of text). When has_more is true, call again with offset=next_offset. Card, bank and social security numbers are masked unless the account turned masking off. Free, read-only. Scope calls:read.`,
    input: {
      call_id: z.string().describe('call_… ID from list_calls, place_call or run_test_call.'),
      offset: z.number().int().min(0).optional().describe('Index of the first turn to return (default 0).'),
      limit: z.number().int().min(1).max(TRANSCRIPT_TURNS_MAX).optional().describe(`Turns to return, 1 to ${TRANSCRIPT_TURNS_MAX} (default ${TRANSCRIPT_TURNS_DEFAULT}).`),
    },
    output: {
      call_id: z.string(),
      masked: z.boolean(),
      total_turns: z.number().int(),
      offset: z.number().int(),
      turns: z.array(z.looseObject({ index: z.number().int(), role: z.string(), text: z.string(), start_seconds: z.number().nullable(), end_seconds: z.number().nullable() })),
      has_more: z.boolean(),
      next_offset: z.number().int().nullable(),
    },
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ call_id, offset = 0, limit = TRANSCRIPT_TURNS_DEFAULT }, { api }) {
      const t = await api.get(`/v2/calls/${seg(call_id)}/transcript`);
      const all = t.turns as { role: string; text: string; start_seconds: number | null; end_seconds: number | null }[];
      const turns: Record<string, unknown>[] = [];
      let chars = 0;
      for (let i = offset; i < all.length && turns.length < limit; i++) {
        if (turns.length > 0 && chars + all[i].text.length > TRANSCRIPT_PAGE_CHARS) break;
        chars += all[i].text.length;
        turns.push({ index: i, ...all[i] });
      }
      const end = offset + turns.length;
      const hasMore = end < all.length;
      const structured = { call_id: t.call_id, masked: t.masked, total_turns: all.length, offset, turns, has_more: hasMore, next_offset: hasMore ? end : null };
      const text = turns.map((x) => `${x.role === 'agent' ? 'Agent' : 'Caller'}: ${x.text}`).join('\n');
      return { structured, summary: `Turns ${offset}–${Math.max(offset, end - 1)} of ${all.length}${hasMore ? ` (more from offset ${end})` : ''}:\n${text}` };
    },
  }),
  defineTool({
    name: 'get_extractions',
    title: 'Read what was extracted from a call',
    description: 'Returns the structured data extracted from a call per the agent’s extraction schema: each field’s value (null when the caller never said it), confidence 0–1, whether it is below the threshold, and evidence (transcript turn index and the caller’s exact words). status is pending until the call ended and was analysed: retry later if so. Also intent and disposition. Free, read-only. Scope calls:read.',
    input: { call_id: z.string().describe('call_… ID.') },
    output: {
      call_id: z.string(),
      status: z.string().describe('pending, completed or failed.'),
      extractor: z.string().nullable(),
      intent: z.string().nullable(),
      disposition: z.string().nullable(),
      threshold: z.number().nullable(),
      fields: z.array(z.looseObject({ name: z.string(), value: z.union([z.string(), z.number(), z.boolean()]).nullable(), confidence: z.number(), required: z.boolean(), below_threshold: z.boolean(), evidence: z.array(z.looseObject({ turn: z.number(), quote: z.string() })) })),
    },
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ call_id }, { api }) {
      const x = await api.get(`/v2/calls/${seg(call_id)}/extractions`);
      const filled = (x.fields as { name: string; value: unknown }[]).filter((f) => f.value !== null);
      const list = filled.slice(0, 20).map((f) => `${f.name}=${JSON.stringify(f.value)}`).join(', ');
      return { structured: x, summary: `Extraction ${x.status} for ${x.call_id}: ${filled.length}/${x.fields.length} fields filled${list ? ` (${list})` : ''}; disposition ${x.disposition ?? 'none'}.` };
    },
  }),
  defineTool({
    name: 'place_call',
    title: 'Place an outbound phone call',
    description:
      'Has an agent call a phone number (E.164, e.g. +13125550142) now or at scheduled_at (≤ 30 days ahead). COSTS CREDIT and dials a real person on real platforms: it first holds credit for the expected talk time (INSUFFICIENT_CREDIT with recovery add_credit when the balance cannot cover it; see get_balance); the hold is captured at the real duration when the call ends and the rest released. Returns the call (status queued) at once; follow with list_calls / get_extractions. On the local platform `simulation` says how the simulated callee behaves. Safe to retry: the same arguments are not dialled twice (idempotency_key derived when omitted). Scope calls:write.',
    input: {
      agent_id: z.string().describe('agt_… of an active agent.'),
      to_number: z.string().describe('Number to call, E.164 (e.g. +13125550142).'),
      variables: z.record(z.string(), z.string()).optional().describe('Values for the agent prompt’s variables on this call.'),
      scheduled_at: z.string().optional().describe('Place the call at this time (ISO 8601) instead of now.'),
      simulation: z
        .object({
          outcome: z.enum(['answered', 'no_answer', 'busy', 'failed']),
          duration_seconds: z.number().optional().describe('How long the simulated conversation lasts (answered only).'),
          turns: z.array(turnInput).optional(),
        })
        .optional()
        .describe('Local platform only: how the simulated callee behaves (refused for real platforms).'),
    },
    output: callShape.shape,
    hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    mutating: true,
    async run(args, { api, idempotencyKey }) {
      const call = await api.post('/v2/calls', { body: args, idempotencyKey });
      return { structured: call, summary: `Call ${call.id} to ${call.to_number} is ${call.status}${call.status === 'queued' ? ' (credit held)' : ''}.` };
    },
  }),
  defineTool({
    name: 'run_test_call',
    title: 'Run a test conversation through an agent',
    description:
      'Runs a scripted conversation (turns of agent and caller text) through an agent’s full post-call path — call record, transcript, extraction, disposition, events — without dialling anyone. Marked test: true and never billed. Use it to check an agent’s extraction schema before going live. Returns the call (queued) at once; read the result with get_extractions / get_call_transcript once extraction_status is completed (a few seconds). Safe to retry (idempotency_key derived when omitted). Scope calls:write.',
    input: {
      agent_id: z.string().describe('agt_… of the agent to test.'),
      turns: z.array(turnInput).min(1).max(200).describe('The conversation, 1 to 200 turns, in order.'),
      caller_number: z.string().optional().describe('Caller ID to simulate, E.164.'),
    },
    output: callShape.shape,
    hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    mutating: true,
    async run({ agent_id, ...body }, { api, idempotencyKey }) {
      const call = await api.post(`/v2/agents/${seg(agent_id)}/test-calls`, { body, idempotencyKey });
      return { structured: call, summary: `Test call ${call.id} ${call.status}; read get_extractions once its extraction_status is completed.` };
    },
  }),
];
