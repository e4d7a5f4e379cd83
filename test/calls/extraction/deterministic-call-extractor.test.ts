import { DeterministicCallExtractor, extractDeterministically } from '../../../core/calls/extraction/deterministic-call-extractor';
import { boundTurns, MAX_TRANSCRIPT_CHARS, MAX_TURN_CHARS, MAX_TURNS } from '../../../core/calls/extraction/transcript-bounds';
import { getTemplate } from '../../../core/templates/template-catalog';
import { TRANSCRIPT_CASES } from '../../fixtures/transcripts/call-transcripts';
import { expectWellFormed, field, inputFor } from './transcript-helpers';

describe('deterministic extraction of the hand-written transcripts', () => {
  it('covers at least 30 calls across at least 6 templates', () => {
    expect(TRANSCRIPT_CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(TRANSCRIPT_CASES.map((c) => c.template)).size).toBeGreaterThanOrEqual(6);
  });

  it.each(TRANSCRIPT_CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const input = inputFor(c.template, c.turns, { call_started_at: new Date(c.started_at), timezone: c.timezone, country: c.country, caller_number: c.caller_number });
    const result = extractDeterministically(input);
    expectWellFormed(result, input);
    const threshold = getTemplate(c.template)!.extraction_schema.confidence_threshold;
    for (const [name, expected] of Object.entries(c.expect)) {
      const f = field(result, name);
      expect({ name, value: f.value }).toEqual({ name, value: expected.value });
      if (expected.value === null) expect(f.confidence).toBe(0);
      if (expected.conf === 'high') expect({ name, confident: f.confidence >= threshold }).toEqual({ name, confident: true });
      if (expected.conf === 'low') expect({ name, low: f.confidence > 0 && f.confidence < threshold }).toEqual({ name, low: true });
    }
    if (c.disposition !== undefined) expect(result.disposition).toBe(c.disposition);
    if (c.intent !== undefined) expect(result.intent).toBe(c.intent);
  });
});

describe('deterministic extraction rules', () => {
  it('implements CallExtractor and names itself', async () => {
    const extractor = new DeterministicCallExtractor();
    const result = await extractor.extract(inputFor('hvac_dispatch', ['A: How can I help?', 'C: My furnace died.']));
    expect(extractor.name).toBe('deterministic-v1');
    expect(result.extractor).toBe('deterministic-v1');
    expect(field(result, 'issue_type').value).toBe('no_heat');
  });

  it('honours an abort signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(new DeterministicCallExtractor().extract(inputFor('hvac_dispatch', ['C: hi']), controller.signal)).rejects.toThrow();
  });

  it('lowers confidence when the same field gets two values without a correction', () => {
    const clear = extractDeterministically(inputFor('auto_repair', ['A: Best number?', 'C: 847 555 0100']));
    const conflicting = extractDeterministically(inputFor('auto_repair', ['A: Best number?', 'C: 847 555 0100', 'A: Anything else?', 'C: You could also try 847 555 0111.']));
    expect(field(conflicting, 'callback_number').confidence).toBeLessThan(field(clear, 'callback_number').confidence);
    expect(field(conflicting, 'callback_number').confidence).toBeLessThan(0.7);
  });

  it('lets the correction win, with the corrected words as evidence', () => {
    const input = inputFor('restaurant_reservations', ['A: How many people?', 'C: Four.', 'A: Great.', "C: Oh wait, no, sorry, it's five people."]);
    const f = field(extractDeterministically(input), 'party_size');
    expect(f.value).toBe(5);
    expect(f.confidence).toBeGreaterThanOrEqual(0.7);
    expect(f.evidence).toEqual([{ turn: 3, quote: 'five people' }]);
  });

  it('answers the yes/no question the agent asked, inverted when "yes" means "not new"', () => {
    const yes = extractDeterministically(inputFor('dental_receptionist', ['A: Have you been to our office before?', 'C: Yep.']));
    expect(field(yes, 'is_new_patient')).toMatchObject({ value: false });
    const hedged = extractDeterministically(inputFor('hvac_dispatch', ['A: Is anyone elderly or very young living in the home?', "C: I don't think so."]));
    expect(field(hedged, 'vulnerable_occupants').value).toBe(false);
    expect(field(hedged, 'vulnerable_occupants').confidence).toBeLessThan(0.7);
  });

  it('does not read an enum value that the caller negates', () => {
    const result = extractDeterministically(inputFor('plumbing_dispatch', ["C: It's not an emergency, the toilet just runs a lot, no rush."]));
    expect(field(result, 'urgency').value).toBe('routine');
    expect(field(result, 'issue_type').value).toBe('toilet');
  });

  it('resolves a relative date across the spring DST change with the new offset', () => {
    // Friday 2026-03-06 10:00 CST; Monday 03-09 is CDT (-05:00)
    const input = inputFor('salon_booking', ['A: When would you like to come in?', 'C: Monday at 4:30 pm.'], { call_started_at: new Date('2026-03-06T16:00:00Z') });
    expect(field(extractDeterministically(input), 'preferred_datetime').value).toBe('2026-03-09T16:30:00-05:00');
  });

  it('uses the caller ID for "this number"', () => {
    const input = inputFor('legal_intake', ["A: What's the best number to reach you?", 'C: You can use the number I am calling from.'], { caller_number: '+13125550100' });
    expect(field(extractDeterministically(input), 'callback_number')).toMatchObject({ value: '+13125550100', evidence: [{ turn: 1, quote: 'number I am calling from' }] });
  });

  it('never takes a value from the agent', () => {
    const result = extractDeterministically(inputFor('hvac_dispatch', ["A: Hi, I'm Ava. Our number is 312 555 0199 and our email is help at acme dot com. How can I help?", 'C: Just a question.']));
    expect(field(result, 'callback_number').value).toBeNull();
    expect(field(result, 'email').value).toBeNull();
    expect(field(result, 'customer_name').value).toBeNull();
  });

  it('masks card numbers before extracting, so no field or quote carries them', () => {
    const input = inputFor('restaurant_reservations', ['A: How can I help?', 'C: Can I pay the deposit now? My card is 4242 4242 4242 4242.', 'A: I cannot take card numbers, the team will arrange payment.']);
    const result = extractDeterministically(input);
    expect(JSON.stringify(result)).not.toContain('4242 4242');
  });

  it('finishes quickly on a hostile 1 MB turn and a flood of turns', () => {
    const hostile = [
      'a'.repeat(200_000),
      '1 '.repeat(100_000),
      '@'.repeat(100_000),
      'at gmail dot '.repeat(20_000),
      '.'.repeat(100_000),
      'S-'.repeat(100_000),
      'my name is '.repeat(20_000),
    ].join('');
    expect(hostile.length).toBeGreaterThan(1_000_000);
    const lines = ['A: What is your name?', `C: ${hostile}`, ...Array.from({ length: 5_000 }, (_, i) => (i % 2 ? 'A: And?' : 'C: five five five one two three four five six seven, tomorrow at 3'))];
    const started = Date.now();
    const result = extractDeterministically(inputFor('hvac_dispatch', lines));
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const f of result.fields) for (const e of f.evidence) expect(e.turn).toBeLessThan(2_000);
  });
});

describe('transcript bounds', () => {
  it('caps turn length, turn count and the total, keeping turn indexes', () => {
    const turns = Array.from({ length: MAX_TURNS + 10 }, () => ({ role: 'caller' as const, text: 'x'.repeat(MAX_TURN_CHARS + 100), start_seconds: null, end_seconds: null }));
    const bounded = boundTurns(turns);
    expect(bounded).toHaveLength(MAX_TURNS);
    expect(bounded[0].text).toHaveLength(MAX_TURN_CHARS);
    expect(bounded.reduce((n, t) => n + t.text.length, 0)).toBe(MAX_TRANSCRIPT_CHARS);
    expect(bounded[MAX_TURNS - 1].text).toBe('');
  });
});

describe('read-back confirmations', () => {
  it("takes the caller's yes to a number the agent read back, not the caller ID", () => {
    const input = inputFor('auto_repair', ['A: Best number?', 'C: 847 555 0100', "A: So that's 847 555 0100, right?", 'C: Yes, that is right.'], { caller_number: '+13125559999' });
    const f = field(extractDeterministically(input), 'callback_number');
    expect(f.value).toBe('+18475550100');
    expect(f.evidence).toEqual([{ turn: 1, quote: '847 555 0100' }, { turn: 3, quote: 'Yes' }]);
  });
});

describe('introductions', () => {
  it('reads "it\'s John Smith" in the greeting, but not "it\'s Delta Dental" as a name', () => {
    const result = extractDeterministically(inputFor('dental_receptionist', ['A: Bright Smiles, how can I help?', "C: Hi, it's John Smith, I need a cleaning.", 'A: Do you have insurance?', "C: Yes, it's Delta Dental."]));
    expect(field(result, 'patient_name')).toMatchObject({ value: 'John Smith', evidence: [{ turn: 1, quote: 'John Smith' }] });
    expect(field(result, 'insurance_provider').value).toBe('Delta Dental');
  });
});
