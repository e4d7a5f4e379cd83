import type { Template } from '../../core/templates/template';
import { getTemplate, listTemplates, TEMPLATE_IDS } from '../../core/templates/template-catalog';
import { placeholdersIn } from '../../core/templates/template-placeholders';
import { templateProblems } from '../../core/templates/template-validator';
import { KNOWLEDGE_SECTION_KEYS } from '../../core/generation/knowledge-base-builder';

const REQUIRED_IDS = [
  'dental_receptionist',
  'hvac_dispatch',
  'legal_intake',
  'restaurant_reservations',
  'salon_booking',
  'veterinary_clinic',
  'real_estate_leads',
  'auto_repair',
];

describe('template catalog', () => {
  it('has the eight launch verticals, and lists exactly TEMPLATE_IDS in order', () => {
    const ids = listTemplates().map((t) => t.id);
    expect(ids).toEqual([...TEMPLATE_IDS]);
    for (const id of REQUIRED_IDS) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('finds templates by id and returns undefined for unknown ids', () => {
    expect(getTemplate('dental_receptionist')?.name).toBe('Dental receptionist');
    expect(getTemplate('nope')).toBeUndefined();
    expect(getTemplate('')).toBeUndefined();
  });

  it('returns frozen templates so one caller cannot change another\'s', () => {
    const t = getTemplate('hvac_dispatch') as Template;
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.prompt_structure.guardrails)).toBe(true);
    expect(() => (t.prompt_structure.guardrails as string[]).push('x')).toThrow();
  });

  describe.each(listTemplates().map((t) => [t.id, t] as const))('%s', (_id, t) => {
    it('passes the validator', () => {
      expect(templateProblems(t)).toEqual([]);
    });

    it('has every required part filled in', () => {
      expect(t.prompt_structure.role.length).toBeGreaterThan(80);
      expect(t.prompt_structure.goals.length).toBeGreaterThanOrEqual(3);
      expect(t.prompt_structure.sections.length).toBeGreaterThanOrEqual(4);
      expect(t.prompt_structure.guardrails.length).toBeGreaterThanOrEqual(5);
      expect(placeholdersIn(t.first_message)).toContain('business_name');
      expect(t.knowledge_base_sections.filter((s) => s.required).length).toBeGreaterThanOrEqual(2);
      expect(t.dispositions.length).toBeGreaterThanOrEqual(8);
      expect(t.signals.keywords.length).toBeGreaterThanOrEqual(10);
      expect(t.signals.schema_org_types.length).toBeGreaterThanOrEqual(1);
    });

    it('has a valid extraction schema with a callback number and a sensible threshold', () => {
      const { fields, confidence_threshold } = t.extraction_schema;
      expect(confidence_threshold).toBeGreaterThanOrEqual(0.5);
      expect(confidence_threshold).toBeLessThan(1);
      const callback = fields.find((f) => f.name === 'callback_number');
      expect(callback).toMatchObject({ type: 'phone', required: true });
      for (const f of fields) {
        expect(f.name).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(f.description.length).toBeGreaterThan(5);
        if (f.type === 'enum') expect(f.enum?.length).toBeGreaterThanOrEqual(2);
        else expect(f.enum).toBeUndefined();
      }
    });

    it('only uses knowledge-base sections the generators know how to fill', () => {
      for (const s of t.knowledge_base_sections) expect(KNOWLEDGE_SECTION_KEYS).toContain(s.key);
    });

    it('includes the AI-disclosure and no-invention rules shared by every vertical', () => {
      const rules = t.prompt_structure.guardrails.join('\n');
      expect(rules).toMatch(/AI assistant/);
      expect(rules).toMatch(/Never guess or make anything up/);
    });
  });

  it('lists each schema.org type under one template only, so a type match is unambiguous', () => {
    const owners = new Map<string, string>();
    for (const t of listTemplates()) {
      for (const type of t.signals.schema_org_types) {
        expect(owners.get(type)).toBeUndefined();
        owners.set(type, t.id);
      }
    }
  });

  it('carries the vertical-specific safety rules', () => {
    const rules = (id: string): string => {
      const t = getTemplate(id) as Template;
      return [...t.prompt_structure.guardrails, ...t.prompt_structure.sections.map((s) => s.instructions)].join('\n');
    };
    expect(rules('dental_receptionist')).toMatch(/Never give a diagnosis/);
    expect(rules('dental_receptionist')).toMatch(/\{\{emergency_number\}\}/);
    expect(rules('legal_intake')).toMatch(/Never give legal advice/);
    expect(rules('legal_intake')).toMatch(/conflict check/i);
    expect(rules('hvac_dispatch')).toMatch(/smells gas.*leave the building/s);
    expect(rules('hvac_dispatch')).toMatch(/gas company/);
    expect(rules('real_estate_leads')).toMatch(/fair-housing/i);
    expect(rules('veterinary_clinic')).toMatch(/poison/i);
  });

  it('rejects a broken template with readable problems', () => {
    const broken: Template = {
      ...(getTemplate('salon_booking') as Template),
      id: 'Bad-Id',
      first_message: 'Hello from {{company}}',
      extraction_schema: { fields: [{ name: 'mood', type: 'enum', required: false, description: 'Mood' }], confidence_threshold: 1.5 },
    };
    const problems = templateProblems(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'id "Bad-Id" is not snake_case',
        'first_message must name the business with {{business_name}}',
        'unknown placeholder {{company}}',
        'extraction_schema needs at least one required field',
        'extraction_schema needs a phone field so the business can call back',
        'extraction_schema.fields[0]: an enum field needs at least two values',
        'extraction_schema.confidence_threshold must be between 0 and 1',
      ]),
    );
  });
});
