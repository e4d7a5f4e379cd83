import { z } from 'zod';
import { CALL_DIRECTIONS, CALL_STATUSES } from '../../core/calls/call-types';

/** Response shapes of the call resources, as published in the OpenAPI document. */
export const callSchema = z
  .object({
    object: z.literal('call'),
    id: z.string().describe('call_…; also the Temporal workflow ID of the call.'),
    agent_id: z.string(),
    platform: z.string(),
    platform_call_id: z.string().describe('The voice platform’s own ID of the call.'),
    direction: z.enum(CALL_DIRECTIONS),
    status: z.enum(CALL_STATUSES),
    test: z.boolean().describe('A test call (POST /v2/agents/{id}/test-calls): never billed.'),
    from_number: z.string().nullable(),
    to_number: z.string().nullable(),
    started_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    duration_seconds: z.number().nullable(),
    disposition: z.string().nullable().describe('One of the template’s dispositions, once extraction ran.'),
    intent: z.string().nullable(),
    summary: z.string().nullable().describe('The platform’s own summary, where it gives one.'),
    cost: z.object({ usd: z.number().nullable().describe('What the platform reported charging, if it says.'), minutes: z.number().int().nullable().describe('Duration rounded up to whole minutes.') }),
    recording_url: z.string().nullable(),
    ended_reason: z.string().nullable(),
    extraction_status: z.enum(['pending', 'completed', 'failed']),
    transcript_url: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Call' });

const turnSchema = z.object({
  role: z.enum(['agent', 'caller']),
  text: z.string(),
  start_seconds: z.number().nullable(),
  end_seconds: z.number().nullable(),
});

export const transcriptSchema = z
  .object({
    object: z.literal('transcript'),
    call_id: z.string(),
    masked: z.boolean().describe('Card, bank account and social security numbers were masked before storage.'),
    turns: z.array(turnSchema),
  })
  .meta({ id: 'Transcript' });

export const extractionSchema = z
  .object({
    object: z.literal('extraction'),
    call_id: z.string(),
    status: z.enum(['pending', 'completed', 'failed']),
    extractor: z.string().nullable().describe('deterministic-… or llm:<model>.'),
    intent: z.string().nullable(),
    disposition: z.string().nullable(),
    threshold: z.number().nullable().describe('Fields under this confidence raised extraction.low_confidence.'),
    fields: z.array(
      z.object({
        name: z.string(),
        value: z.union([z.string(), z.number(), z.boolean()]).nullable().describe('null when the caller never said it: never invented.'),
        confidence: z.number().min(0).max(1),
        required: z.boolean(),
        below_threshold: z.boolean(),
        evidence: z.array(z.object({ turn: z.number().int().describe('Index into the transcript’s turns.'), quote: z.string().describe('The caller’s words, verbatim.') })),
      }),
    ),
  })
  .meta({ id: 'Extraction' });

export const notificationReceiptSchema = z
  .object({
    object: z.literal('notification_receipt'),
    status: z.enum(['accepted', 'duplicate', 'ignored']),
    call_id: z.string().nullable(),
  })
  .meta({ id: 'NotificationReceipt' });

/** Caps that keep a test call's workflow input well under Temporal's payload limit. */
export const MAX_TEST_CALL_TURNS = 200;
export const MAX_TEST_CALL_TURN_CHARS = 2000;

export const testCallBodySchema = z
  .object({
    turns: z
      .array(
        z
          .object({
            role: z.enum(['agent', 'caller']),
            text: z.string().min(1).max(MAX_TEST_CALL_TURN_CHARS),
            start_seconds: z.number().min(0).max(86_400).optional(),
            end_seconds: z.number().min(0).max(86_400).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_TEST_CALL_TURNS),
    caller_number: z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number, e.g. +13125550142').optional(),
  })
  .strict()
  .meta({ id: 'TestCallRequest' });

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number, e.g. +13125550142');

export const outboundSimulationSchema = z
  .object({
    outcome: z.enum(['answered', 'no_answer', 'busy', 'failed']),
    duration_seconds: z.number().min(1).max(7200).optional().describe('How long the simulated conversation lasts (answered only); default 60.'),
    turns: z
      .array(z.object({ role: z.enum(['agent', 'caller']), text: z.string().min(1).max(MAX_TEST_CALL_TURN_CHARS), start_seconds: z.number().min(0).optional(), end_seconds: z.number().min(0).optional() }).strict())
      .max(MAX_TEST_CALL_TURNS)
      .optional(),
  })
  .strict()
  .meta({ id: 'OutboundSimulation' });

export const outboundCallBodySchema = z
  .object({
    agent_id: z.string().max(64),
    to_number: e164,
    variables: z
      .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, 'a variable name'), z.string().max(500))
      .refine((v) => Object.keys(v).length <= 50, { message: 'at most 50 variables' })
      .optional()
      .describe('Values for the agent prompt’s variables on this call.'),
    scheduled_at: z.coerce
      .date()
      .refine((d) => d.getTime() <= Date.now() + 30 * 24 * 3600 * 1000, { message: 'at most 30 days ahead' })
      .optional()
      .describe('Place the call at this time (ISO 8601) instead of now.'),
    simulation: outboundSimulationSchema.optional().describe('Local platform only: how the simulated callee behaves (refused for real platforms).'),
  })
  .strict()
  .meta({ id: 'OutboundCallRequest' });
