import type { ExtractionInput, ExtractionResult, TranscriptTurn } from '../../../core/calls/call-types';
import { getTemplate, type TemplateId } from '../../../core/templates/template-catalog';

/** "A: …" is an agent turn, "C: …" a caller turn. */
export function turnsOf(lines: string[]): TranscriptTurn[] {
  return lines.map((line) => ({ role: line.startsWith('A: ') ? 'agent' : 'caller', text: line.slice(3), start_seconds: null, end_seconds: null }));
}

export function inputFor(templateId: TemplateId, lines: string[], options: Partial<Omit<ExtractionInput, 'turns' | 'schema' | 'dispositions'>> = {}): ExtractionInput {
  const template = getTemplate(templateId);
  if (!template) throw new Error(`no template ${templateId}`);
  return {
    turns: turnsOf(lines),
    schema: template.extraction_schema,
    dispositions: template.dispositions,
    call_started_at: options.call_started_at ?? new Date('2026-05-13T15:00:00Z'),
    timezone: options.timezone ?? 'America/Chicago',
    country: options.country ?? 'US',
    caller_number: options.caller_number ?? null,
  };
}

export function field(result: ExtractionResult, name: string) {
  const f = result.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name} in the result`);
  return f;
}

/** Every quote is the words of the caller turn it cites, and unmentioned fields say so. */
export function expectWellFormed(result: ExtractionResult, input: ExtractionInput): void {
  expect(result.fields.map((f) => f.name)).toEqual(input.schema.fields.map((f) => f.name));
  for (const f of result.fields) {
    expect(f.confidence).toBeGreaterThanOrEqual(0);
    expect(f.confidence).toBeLessThanOrEqual(1);
    if (f.value === null) {
      expect(f.confidence).toBe(0);
      expect(f.evidence).toEqual([]);
    } else {
      expect(f.evidence.length).toBeGreaterThan(0);
    }
    for (const e of f.evidence) {
      const turn = input.turns[e.turn];
      expect(turn?.role).toBe('caller');
      expect(e.quote.length).toBeGreaterThan(0);
      expect(turn.text.includes(e.quote)).toBe(true);
    }
  }
  if (result.disposition !== null) expect(input.dispositions.map((d) => d.id)).toContain(result.disposition);
}
