import type { ExtractionField, Template } from './template';
import { isKnownPlaceholder, placeholdersIn } from './template-placeholders';

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const FIELD_TYPES: readonly ExtractionField['type'][] = ['string', 'number', 'boolean', 'date', 'datetime', 'phone', 'email', 'enum'];

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function fieldProblems(field: ExtractionField, where: string): string[] {
  const problems: string[] = [];
  if (!SNAKE_CASE.test(field.name)) problems.push(`${where}.name "${field.name}" is not snake_case`);
  if (!FIELD_TYPES.includes(field.type)) problems.push(`${where}.type "${String(field.type)}" is unknown`);
  if (blank(field.description)) problems.push(`${where}.description is empty`);
  if (field.type === 'enum') {
    if (!field.enum || field.enum.length < 2) problems.push(`${where}: an enum field needs at least two values`);
    else {
      for (const d of duplicates(field.enum)) problems.push(`${where}.enum repeats "${d}"`);
      for (const v of field.enum) if (!SNAKE_CASE.test(v)) problems.push(`${where}.enum value "${v}" is not snake_case`);
    }
  } else if (field.enum !== undefined) {
    problems.push(`${where}: only enum fields may list enum values`);
  }
  return problems;
}

/**
 * Everything that makes a template unusable, as readable sentences; empty when the template is sound.
 * The catalog runs this at load time so a bad edit fails every test instead of a customer's agent.
 */
export function templateProblems(t: Template): string[] {
  const p: string[] = [];
  if (t.object !== 'template') p.push('object must be "template"');
  if (!SNAKE_CASE.test(t.id)) p.push(`id "${t.id}" is not snake_case`);
  for (const [name, value] of [['name', t.name], ['vertical', t.vertical], ['description', t.description]] as const) {
    if (blank(value)) p.push(`${name} is empty`);
  }

  const ps = t.prompt_structure;
  if (blank(ps.role)) p.push('prompt_structure.role is empty');
  if (ps.goals.length === 0 || ps.goals.some(blank)) p.push('prompt_structure.goals must be non-empty sentences');
  if (ps.sections.length === 0) p.push('prompt_structure.sections is empty');
  for (const [i, s] of ps.sections.entries()) {
    if (!SNAKE_CASE.test(s.key)) p.push(`prompt_structure.sections[${i}].key "${s.key}" is not snake_case`);
    if (blank(s.title) || blank(s.instructions)) p.push(`prompt_structure.sections[${i}] (${s.key}) needs a title and instructions`);
  }
  for (const d of duplicates(ps.sections.map((s) => s.key))) p.push(`prompt_structure.sections repeat key "${d}"`);
  if (ps.guardrails.length === 0 || ps.guardrails.some(blank)) p.push('prompt_structure.guardrails must be non-empty sentences');

  if (blank(t.first_message)) p.push('first_message is empty');
  if (!placeholdersIn(t.first_message).includes('business_name')) p.push('first_message must name the business with {{business_name}}');

  const texts = [ps.role, ...ps.goals, ...ps.sections.flatMap((s) => [s.title, s.instructions]), ...ps.guardrails, t.first_message];
  for (const name of new Set(texts.flatMap(placeholdersIn))) {
    if (!isKnownPlaceholder(name)) p.push(`unknown placeholder {{${name}}}`);
  }

  if (t.knowledge_base_sections.length === 0) p.push('knowledge_base_sections is empty');
  if (!t.knowledge_base_sections.some((s) => s.required)) p.push('at least one knowledge_base_section must be required');
  for (const [i, s] of t.knowledge_base_sections.entries()) {
    if (!SNAKE_CASE.test(s.key)) p.push(`knowledge_base_sections[${i}].key "${s.key}" is not snake_case`);
    if (blank(s.title) || blank(s.description)) p.push(`knowledge_base_sections[${i}] (${s.key}) needs a title and description`);
  }
  for (const d of duplicates(t.knowledge_base_sections.map((s) => s.key))) p.push(`knowledge_base_sections repeat key "${d}"`);

  if (t.dispositions.length < 3) p.push('dispositions needs at least three outcomes');
  for (const d of t.dispositions) {
    if (!SNAKE_CASE.test(d.id)) p.push(`disposition "${d.id}" is not snake_case`);
    if (blank(d.description)) p.push(`disposition "${d.id}" has no description`);
  }
  for (const d of duplicates(t.dispositions.map((x) => x.id))) p.push(`dispositions repeat "${d}"`);

  const es = t.extraction_schema;
  if (es.fields.length === 0) p.push('extraction_schema.fields is empty');
  if (!es.fields.some((f) => f.required)) p.push('extraction_schema needs at least one required field');
  if (!es.fields.some((f) => f.type === 'phone')) p.push('extraction_schema needs a phone field so the business can call back');
  for (const [i, f] of es.fields.entries()) p.push(...fieldProblems(f, `extraction_schema.fields[${i}]`));
  for (const d of duplicates(es.fields.map((f) => f.name))) p.push(`extraction_schema.fields repeat "${d}"`);
  if (!(es.confidence_threshold > 0 && es.confidence_threshold < 1)) p.push('extraction_schema.confidence_threshold must be between 0 and 1');

  const sig = t.signals;
  if (sig.schema_org_types.length === 0 && sig.keywords.length < 3) p.push('signals need schema.org types or at least three keywords');
  for (const type of sig.schema_org_types) if (!/^[A-Z][A-Za-z]+$/.test(type)) p.push(`signals.schema_org_types "${type}" is not a schema.org type name`);
  for (const k of sig.keywords) if (k !== k.trim().toLowerCase() || k === '') p.push(`signals.keywords "${k}" must be lower-case and trimmed`);
  for (const d of duplicates(sig.keywords)) p.push(`signals.keywords repeat "${d}"`);
  return p;
}
