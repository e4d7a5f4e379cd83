import { z } from 'zod';
import { PLATFORM_NAMES } from '../platforms/platform-adapter';
import { TEMPLATE_IDS } from '../templates/template-catalog';

const templateId = z
  .enum([...TEMPLATE_IDS, 'auto'] as [string, ...string[]])
  .describe('Industry vertical (GET /v2/templates), or "auto" to take the one the research suggests.');

export const businessUrlSchema = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http or https URL' })
  .describe('The business website to research.');

/** The `payload` of POST /v2/agents (and of each batch item, and of the MCP provision_agent tool). */
export const agentPayloadSchema = z
  .object({
    name: z.string().trim().min(1).max(200).describe('Display name of the agent.'),
    platform: z.enum(PLATFORM_NAMES).describe('Voice platform to deploy to; `local` is the built-in simulator.'),
    business_url: businessUrlSchema,
    template_id: templateId,
    voice: z.string().trim().min(1).max(200).optional().describe('Platform voice ID.'),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a BCP 47 tag such as en or en-US')
      .default('en')
      .describe('Language the agent speaks.'),
    area_code: z.string().regex(/^[2-9]\d{2}$/, 'must be a 3-digit US area code').optional().describe('Preferred area code for the phone number.'),
    metadata: z
      .record(z.string().max(64), z.string().max(500))
      .refine((m) => Object.keys(m).length <= 20, { message: 'at most 20 keys' })
      .optional()
      .describe('Your own key/value pairs, returned on the agent.'),
  })
  .strict()
  .meta({ id: 'AgentPayload' });
export type AgentPayload = z.infer<typeof agentPayloadSchema>;

const extractionFieldSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'snake_case, at most 64 characters'),
    type: z.enum(['string', 'number', 'boolean', 'date', 'datetime', 'phone', 'email', 'enum']),
    description: z.string().min(1).max(500),
    required: z.boolean().default(false),
    enum: z.array(z.string().regex(/^[a-z0-9_]{1,64}$/, 'snake_case values')).min(1).max(50).optional(),
  })
  .strict()
  .refine((f) => (f.type === 'enum') === (f.enum !== undefined), { message: 'enum values are required for type enum, and only for it', path: ['enum'] });

export const extractionOverridesSchema = z
  .object({
    fields: z
      .array(extractionFieldSchema)
      .max(50)
      .refine((fs) => new Set(fs.map((f) => f.name)).size === fs.length, { message: 'field names must be unique' })
      .optional(),
    confidence_threshold: z.number().min(0).max(1).optional().describe('Fields under this confidence raise extraction.low_confidence.'),
  })
  .strict()
  .meta({ id: 'ExtractionOverrides' });

export const agentPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    voice: z.string().trim().min(1).max(200).nullable().optional(),
    business_url: businessUrlSchema.optional(),
    template_id: z.enum(TEMPLATE_IDS as unknown as [string, ...string[]]).optional(),
    system_prompt_override: z.string().min(1).max(50_000).nullable().optional().describe('Pin this exact system prompt; null returns to the generated one.'),
    extraction: extractionOverridesSchema
      .nullable()
      .optional()
      .describe('Changes to the template’s extraction schema for this agent’s calls: fields named like a template field replace it, new names are added; null returns to the template’s.'),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'send at least one field to change' })
  .meta({ id: 'AgentPatch' });
export type AgentPatch = z.infer<typeof agentPatchSchema>;
