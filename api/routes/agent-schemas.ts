import { z } from 'zod';
import { AGENT_STATUSES } from '../../core/agents/agent-model';
import { extractionOverridesSchema } from '../../core/agents/agent-payload';
import { OPERATION_STATUSES, OPERATION_TYPES, STEP_STATUSES } from '../../core/operations/operation-model';

/** Response shapes of the agent resources, as published in the OpenAPI document. */
export const acceptedSchema = z
  .object({
    operation_id: z.string().describe('op_…; also the Temporal workflow ID.'),
    status: z.literal('pending'),
    estimated_seconds: z.number().int().describe('Median of recent real provisioning times.'),
    agent_id: z.string().describe('The agent being created or changed.'),
  })
  .meta({ id: 'AcceptedOperation' });

export const operationErrorSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    retryable: z.boolean(),
    step: z.string().nullable(),
    compensation_failures: z
      .array(z.object({ step: z.string(), code: z.string(), message: z.string() }))
      .optional()
      .describe('Undo steps that failed; the operation still ended, and deleting the agent retries them.'),
  })
  .meta({ id: 'OperationError' });

export const operationSchema = z
  .object({
    object: z.literal('operation'),
    id: z.string(),
    operation_id: z.string(),
    type: z.enum(OPERATION_TYPES),
    status: z.enum(OPERATION_STATUSES),
    step: z.string().nullable().describe('The step running now.'),
    steps: z.array(
      z.object({
        name: z.string(),
        status: z.enum(STEP_STATUSES),
        started_at: z.string().nullable(),
        completed_at: z.string().nullable(),
        attempts: z.number().int(),
        detail: z.string().nullable(),
      }),
    ),
    agent_id: z.string(),
    batch_id: z.string().nullable(),
    phone_number: z.string().nullable(),
    provisioning_time_seconds: z.number().nullable(),
    estimated_seconds: z.number().nullable(),
    changed_fields: z.array(z.string()),
    error: operationErrorSchema.nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
  })
  .meta({ id: 'Operation' });

export const agentSchema = z
  .object({
    object: z.literal('agent'),
    id: z.string(),
    name: z.string(),
    status: z.enum(AGENT_STATUSES),
    platform: z.string(),
    template_id: z.string(),
    business_url: z.string(),
    voice: z.string().nullable(),
    language: z.string(),
    area_code: z.string().nullable(),
    phone_number: z.string().nullable(),
    prompt_version: z.number().int().nullable(),
    prompt_override: z.boolean(),
    platform_agent_id: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    extraction: extractionOverridesSchema.nullable().describe('The agent’s changes to its template’s extraction schema (PATCH extraction); null: the template’s as is.'),
    operation_id: z.string(),
    last_operation_id: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    activated_at: z.string().nullable(),
  })
  .meta({ id: 'Agent' });

export const promptVersionSchema = z
  .object({
    object: z.literal('prompt_version'),
    id: z.string(),
    agent_id: z.string(),
    version: z.number().int(),
    is_current: z.boolean(),
    source: z.enum(['generated', 'override', 'rollback', 'regenerated']),
    generator: z.string().nullable(),
    rolled_back_from: z.number().int().nullable(),
    system_prompt: z.string(),
    first_message: z.string(),
    knowledge_base: z.array(z.object({ key: z.string(), title: z.string(), content: z.string() })),
    created_at: z.string(),
  })
  .meta({ id: 'PromptVersion' });

export const batchSchema = z
  .object({
    object: z.literal('batch'),
    id: z.string(),
    batch_id: z.string(),
    item_count: z.number().int(),
    counts: z.record(z.string(), z.number().int()).describe('Operations by status, plus rejected items.'),
    operation_ids: z.array(z.string()),
    rejected: z.array(z.object({ index: z.number().int(), error: z.object({ code: z.string(), message: z.string(), details: z.array(z.unknown()) }) })),
    operations: z.array(operationSchema),
    created_at: z.string(),
  })
  .meta({ id: 'Batch' });
