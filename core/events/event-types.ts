import { z } from 'zod';
import { CALL_STATUSES } from '../calls/call-types';

/**
 * The 12 event types: the payload (`data`) of each, as zod schemas from which both the
 * TypeScript types and the published JSON Schemas (GET /v2/event-types, OpenAPI webhooks) come.
 */
const disposition = z.string().describe('One of the template’s dispositions, e.g. booked.');

export const EVENT_SCHEMAS = {
  'agent.activated': {
    description: 'Agent provisioning complete and live on the phone number.',
    data: z.object({ agent_id: z.string(), operation_id: z.string(), phone_number: z.string(), status: z.literal('active'), platform: z.string(), provisioning_time_seconds: z.number() }),
  },
  'agent.updated': {
    description: 'Agent configuration changed (system prompt version, voice, phone number).',
    data: z.object({ agent_id: z.string(), operation_id: z.string().nullable(), changed_fields: z.array(z.string()), prompt_version: z.number().int().nullable() }),
  },
  'agent.deleted': {
    description: 'Agent deprovisioned: platform agent deleted and number released.',
    data: z.object({ agent_id: z.string(), operation_id: z.string(), released_phone_number: z.string().nullable() }),
  },
  'agent.provisioning_failed': {
    description: 'Provisioning failed or was canceled; everything it had set up was undone.',
    data: z.object({
      agent_id: z.string(),
      operation_id: z.string(),
      status: z.enum(['failed', 'canceled']),
      error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean(), step: z.string().nullable() }),
    }),
  },
  'call.started': {
    description: 'A call to or from the agent began.',
    data: z.object({ call_id: z.string(), agent_id: z.string(), direction: z.enum(['inbound', 'outbound']), from: z.string().nullable(), to: z.string().nullable() }),
  },
  'call.completed': {
    description: 'A call ended and was analysed. Includes duration, caller ID, and disposition.',
    data: z.object({
      call_id: z.string(),
      agent_id: z.string(),
      status: z.enum(CALL_STATUSES).describe('How it ended: completed, no_answer, busy, failed or canceled.'),
      test: z.boolean().describe('A test call (POST /v2/agents/{id}/test-calls): never billed.'),
      duration_seconds: z.number(),
      caller_id: z.string().nullable(),
      disposition: disposition.nullable(),
    }),
  },
  'call.transcript_ready': {
    description: 'Full turn-by-turn transcript available for retrieval.',
    data: z.object({ call_id: z.string(), agent_id: z.string(), transcript_url: z.string(), turns: z.number().int() }),
  },
  'call.extractions_ready': {
    description: 'Structured data extracted from the call (intent, disposition, each field with its confidence).',
    data: z.object({
      call_id: z.string(),
      agent_id: z.string(),
      intent: z.string().nullable(),
      disposition: disposition.nullable(),
      threshold: z.number(),
      extractions: z.record(z.string(), z.object({ value: z.union([z.string(), z.number(), z.boolean()]).nullable(), confidence: z.number(), below_threshold: z.boolean() })),
    }),
  },
  'extraction.low_confidence': {
    description: 'An extraction field scored below the configured confidence threshold.',
    data: z.object({ call_id: z.string(), agent_id: z.string(), field: z.string(), confidence: z.number(), threshold: z.number() }),
  },
  'kb.synced': {
    description: 'Knowledge base document updated — via automated improvement or manual edit.',
    data: z.object({ agent_id: z.string(), doc_id: z.string(), version: z.number().int() }),
  },
  'kb.update_proposed': {
    description: 'An improvement to a knowledge base document was proposed for review.',
    data: z.object({ agent_id: z.string(), doc_id: z.string(), proposal_id: z.string(), summary: z.string() }),
  },
  'credit.low': {
    description: 'The account’s available credit fell below 20 % or 5 % of its last grant: once per grant and threshold.',
    data: z.object({
      account_id: z.string(),
      available_usd: z.number().describe('Available credit (USD) when the threshold was crossed, as GET /v2/balance reports it.'),
      threshold_usd: z.number().describe('The threshold crossed (USD): threshold_percent of the last grant.'),
      threshold_percent: z.number().int().describe('20 or 5.'),
    }),
  },
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]['data']>;
