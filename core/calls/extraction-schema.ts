import type { ExtractionField, Template } from '../templates/template';
import type { ExtractionSchema } from './call-types';

/** What an agent changes of its template's extraction schema (PATCH /v2/agents/{id} `extraction`). */
export interface ExtractionOverrides {
  /** Fields with a template field's name replace it; other names are added after the template's. */
  fields?: ExtractionField[];
  confidence_threshold?: number;
}

/** The schema an agent's calls are extracted with: its template's, with the agent's overrides. */
export function extractionSchemaFor(template: Template, agent: { extraction_overrides?: ExtractionOverrides | null }): ExtractionSchema {
  const overrides = agent.extraction_overrides ?? {};
  const byName = new Map((overrides.fields ?? []).map((f) => [f.name, f]));
  const fields = template.extraction_schema.fields.map((f) => byName.get(f.name) ?? f);
  const known = new Set(fields.map((f) => f.name));
  for (const f of overrides.fields ?? []) if (!known.has(f.name)) fields.push(f);
  return { fields, confidence_threshold: overrides.confidence_threshold ?? template.extraction_schema.confidence_threshold };
}
