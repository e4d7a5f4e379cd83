import { z } from 'zod';
import { ApiError, NotFoundError } from '../../core/errors/errors';
import { decodeCursor, encodeCursor, Page, pageQuerySchema } from '../../core/pagination/pagination';
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
      description: 'Pages like every list (`limit`, `cursor`), in catalogue order: templates are fixed, not created, so there is no newest.',
      tag: 'templates',
      scope: 'agents:read',
      query: pageQuerySchema,
      errors: ['INVALID_CURSOR'],
      responses: { 200: { description: 'A page of templates.', schema: listSchema(templateSchema, 'TemplateList') } },
      async handler({ query }) {
        return { status: 200, body: templatePage(deps.list(), query) };
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

const LIST = 'templates';

/** The cursor is the last template ID served; an ID no longer in the catalogue is an invalid cursor. */
function templatePage(all: readonly Template[], page: { limit: number; cursor?: string }): Page<Template> {
  let start = 0;
  if (page.cursor !== undefined) {
    const lastId = decodeCursor(LIST, page.cursor);
    const index = all.findIndex((t) => t.id === lastId);
    if (index < 0) {
      throw new ApiError('INVALID_CURSOR', 'The cursor is not valid for this list.', {
        details: [{ field: 'cursor', issue: 'invalid', message: 'use next_cursor exactly as returned by this list' }],
      });
    }
    start = index + 1;
  }
  const data = all.slice(start, start + page.limit);
  const hasMore = start + page.limit < all.length;
  return { data, has_more: hasMore, next_cursor: hasMore ? encodeCursor(LIST, data[data.length - 1].id) : null };
}
