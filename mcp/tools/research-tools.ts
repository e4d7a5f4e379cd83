import { z } from 'zod';
import { defineTool, listInput, listOutput, seg, ToolDefinition } from '../tool-kit';

const templateSummary = z.looseObject({
  id: z.string(),
  name: z.string(),
  vertical: z.string(),
  description: z.string(),
  dispositions: z.array(z.string()),
  extraction_fields: z.array(z.string()).describe('Names of the fields extracted from each call.'),
});

export const researchTools: ToolDefinition[] = [
  defineTool({
    name: 'scout_research',
    title: 'Research a business website',
    description:
      'Crawls a business website (robots.txt honoured, same-site pages only) without provisioning anything, and returns the business profile (name, phone, address, hours, services…, each with the page it came from), the pages read and skipped, and a suggested template_id with a confidence. Use it to pick template_id before provision_agent. Free (no credit), but limited to 10 per account per minute (RATE_LIMITED). Scope agents:write.',
    input: { business_url: z.string().describe('The business website, an http or https URL.') },
    output: {
      business_url: z.string(),
      final_url: z.string(),
      profile: z.looseObject({}),
      suggested_template: z.looseObject({ template_id: z.string(), confidence: z.number() }).nullable(),
      pages: z.array(z.looseObject({ url: z.string() })),
      warnings: z.array(z.string()),
    },
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    async run({ business_url }, { api }) {
      const r = await api.post('/v2/scout/research', { body: { business_url } });
      const name = r.profile?.name?.value;
      const s = r.suggested_template;
      return { structured: r, summary: `Researched ${r.final_url}${name ? ` (${name})` : ''}: ${r.pages.length} page(s); suggested template ${s ? `${s.template_id} (confidence ${s.confidence})` : 'none'}.` };
    },
  }),
  defineTool({
    name: 'list_templates',
    title: 'List industry templates',
    description:
      'Lists the industry templates an agent can be built from (dental receptionist, HVAC dispatch, …) in brief: id, name, vertical, description, dispositions and the names of the fields extracted from calls; paged (limit ≤ 100, cursor). Pass template_id for one template in full (prompt structure, knowledge-base sections, extraction schema). Free, read-only. Scope agents:read.',
    input: { ...listInput, template_id: z.string().optional().describe('Return only this template, in full.') },
    output: { ...listOutput(templateSummary), template: z.looseObject({ id: z.string() }).describe('The full template, when template_id was given.') },
    hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run({ template_id, ...page }, { api }) {
      if (template_id) {
        const t = await api.get(`/v2/templates/${seg(template_id)}`);
        return { structured: { template: t }, summary: `Template ${t.id}: ${t.name} — ${t.description}` };
      }
      const res = await api.get('/v2/templates', { query: page });
      const data = (res.data as any[]).map((t) => ({
        id: t.id,
        name: t.name,
        vertical: t.vertical,
        description: t.description,
        dispositions: (t.dispositions ?? []).map((d: { id: string }) => d.id),
        extraction_fields: (t.extraction_schema?.fields ?? []).map((f: { name: string }) => f.name),
      }));
      return { structured: { data, has_more: res.has_more, next_cursor: res.next_cursor }, summary: `Templates: ${data.map((t) => t.id).join(', ')}${res.has_more ? ' (more with cursor)' : ''}.` };
    },
  }),
];
