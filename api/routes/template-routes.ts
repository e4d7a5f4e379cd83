import { z } from 'zod';
import { NotFoundError } from '../../core/errors/errors';
import type { Template } from '../../core/templates/template';
import { defineRoute, RouteSpec } from '../http/route';
import { listSchema } from '../openapi/common-schemas';

const templateSchema = z
  .object({
    object: z.literal('template'),
    id: z.string(),
    name: z.string(),
    vertical: z.string(),
    description: z.string(),
    prompt_structure: z.object({
      role: z.string(),
      goals: z.array(z.string()),
      sections: z.array(z.object({ key: z.string(), title: z.string(), instructions: z.string() })),
      guardrails: z.array(z.string()),
    }),
    first_message: z.string(),
    knowledge_base_sections: z.array(z.object({ key: z.string(), title: z.string(), description: z.string(), required: z.boolean() })),
    dispositions: z.array(z.object({ id: z.string(), description: z.string() })),
    extraction_schema: z.object({
      fields: z.array(
        z.object({
          name: z.string(),
          type: z.enum(['string', 'number', 'boolean', 'date', 'datetime', 'phone', 'email', 'enum']),
          description: z.string(),
          required: z.boolean(),
          enum: z.array(z.string()).optional(),
        }),
      ),
      confidence_threshold: z.number(),
    }),
    signals: z.object({ schema_org_types: z.array(z.string()), keywords: z.array(z.string()) }),
  })
  .meta({ id: 'Template' });

const templateIdParam = z.object({ id: z.string().min(1).max(64).describe('Template ID, e.g. dental_receptionist.') });

export function templateRoutes(deps: { list(): readonly Template[]; get(id: string): Template | undefined }): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v2/templates',
      operationId: 'listTemplates',
      summary: 'Industry templates',
      description: 'All templates in one page (the catalogue is small and fixed).',
      tag: 'templates',
      scope: 'agents:read',
      responses: { 200: { description: 'Every template.', schema: listSchema(templateSchema, 'TemplateList') } },
      async handler() {
        return { status: 200, body: { data: deps.list(), has_more: false, next_cursor: null } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v2/templates/{id}',
      operationId: 'getTemplate',
      summary: 'One template',
      tag: 'templates',
      scope: 'agents:read',
      params: templateIdParam,
      errors: ['NOT_FOUND'],
      responses: { 200: { description: 'The template.', schema: templateSchema } },
      async handler({ params }) {
        const template = deps.get(params.id);
        if (!template) throw new NotFoundError('template', params.id);
        return { status: 200, body: template };
      },
    }),
  ];
}
