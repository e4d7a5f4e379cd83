import { z } from 'zod';
import { isTimeZone, WEEKDAYS } from '../../workflows/call-window';
import { RECIPIENT_STATUSES, BATCH_STATUSES } from '../../core/calls/call-batch-model';
import { MAX_BATCH_RECIPIENTS } from '../../core/calls/call-batch-service';
import { outboundSimulationSchema } from './call-schemas';

export const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number, e.g. +13125550142');
const timeZone = z.string().max(64).refine(isTimeZone, { message: 'an IANA time zone, e.g. America/Chicago' });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time, HH:MM');

export const callWindowSchema = z
  .object({
    timezone: timeZone.describe('The zone of start and end, unless a recipient has its own.'),
    days: z.array(z.enum(WEEKDAYS)).min(1).max(7).refine((d) => new Set(d).size === d.length, { message: 'each day once' }),
    start: hhmm,
    end: hhmm.describe('Exclusive. An end at or before start is an overnight window, owned by the day it opens.'),
  })
  .strict()
  .meta({ id: 'CallWindow' });

export const callBatchBodySchema = z
  .object({
    agent_id: z.string().max(64),
    recipients: z
      .array(
        z
          .object({
            to_number: e164,
            variables: z
              .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, 'a variable name'), z.string().max(500))
              .refine((v) => Object.keys(v).length <= 50, { message: 'at most 50 variables' })
              .optional(),
            timezone: timeZone.optional().describe('The recipient’s own zone for the calling window.'),
            simulation: outboundSimulationSchema.optional().describe('Local platform only.'),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_BATCH_RECIPIENTS),
    window: callWindowSchema.optional(),
    max_concurrency: z.number().int().min(1).max(100).optional().describe('Calls in flight at once; default 10.'),
    retry: z
      .object({
        no_answer_attempts: z.number().int().min(0).max(5).describe('Further attempts after no_answer or busy.'),
        backoff_minutes: z.number().min(0).max(1440).describe('Wait before each further attempt (fractions allowed).'),
      })
      .strict()
      .optional(),
    scheduled_at: z.coerce
      .date()
      .refine((d) => d.getTime() <= Date.now() + 30 * 24 * 3600 * 1000, { message: 'at most 30 days ahead' })
      .optional(),
  })
  .strict()
  .meta({ id: 'CallBatchRequest' });

export const callBatchSchema = z
  .object({
    object: z.literal('call_batch'),
    id: z.string().describe('cb_…; also the Temporal workflow ID of the batch.'),
    agent_id: z.string(),
    status: z.enum(BATCH_STATUSES),
    total: z.number().int(),
    max_concurrency: z.number().int(),
    window: callWindowSchema.nullable(),
    retry: z.object({ no_answer_attempts: z.number().int(), backoff_minutes: z.number() }),
    scheduled_at: z.string().nullable(),
    counts: z.object(Object.fromEntries(RECIPIENT_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof RECIPIENT_STATUSES)[number], z.ZodNumber>),
    call_ids: z.array(z.string()),
    recipients: z.array(
      z.object({
        index: z.number().int(),
        to_number: z.string(),
        status: z.enum(RECIPIENT_STATUSES),
        attempts: z.number().int(),
        call_ids: z.array(z.string()).describe('One call per attempt, oldest first.'),
        skip_reason: z.enum(['do_not_call', 'insufficient_credit']).nullable(),
      }),
    ),
    skipped: z.array(z.object({ to_number: z.string(), reason: z.enum(['do_not_call', 'insufficient_credit']) })),
    max_in_flight: z.number().int().describe('The most calls the batch had in flight at once.'),
    created_at: z.string(),
    updated_at: z.string(),
    ended_at: z.string().nullable(),
  })
  .meta({ id: 'CallBatch' });

export const doNotCallEntrySchema = z
  .object({ object: z.literal('do_not_call_entry'), number: z.string(), reason: z.string().nullable(), created_at: z.string() })
  .meta({ id: 'DoNotCallEntry' });

export const doNotCallBodySchema = z.object({ reason: z.string().max(200).optional() }).strict().meta({ id: 'DoNotCallRequest' });
