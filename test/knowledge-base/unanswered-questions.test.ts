import { draftAnswer, groupQuestions, isDeflection, keywords, unansweredQuestions } from '../../core/knowledge-base/unanswered-questions';
import { clausesOf, CONTRADICTION_LIMITS, findContradictions, statedValues } from '../../core/knowledge-base/kb-contradictions';

const turn = (role: 'agent' | 'caller', text: string) => ({ role, text, start_seconds: null, end_seconds: null });

describe('unanswered caller questions (phrase rules)', () => {
  it('finds a caller question the next agent turn deflects, quoted verbatim, and ignores answered ones', () => {
    const found = unansweredQuestions('call_1', [
      turn('agent', 'Thanks for calling.'),
      turn('caller', 'Hi. What are your hours on Saturday?'),
      turn('agent', 'We are open 9 to 1 on Saturday.'),
      turn('caller', 'Great. Do you have emergency service at night?'),
      turn('agent', "I'm not sure about that — I can take a message and have someone call you back."),
    ]);
    expect(found).toEqual([expect.objectContaining({ call_id: 'call_1', turn: 3, quote: 'Do you have emergency service at night?' })]);
  });

  it('recognises the usual deflections and not answers', () => {
    for (const t of ["I don't have any information about that.", 'I can take a message for the office.', 'Let me check with the team.', 'I am unable to answer that.', 'Someone will get back to you.']) expect(isDeflection(t)).toBe(true);
    for (const t of ['Yes, we accept Cigna.', 'We are open until five.']) expect(isDeflection(t)).toBe(false);
  });

  it('groups similar questions across calls and drafts an answer from site text only when it speaks of it', () => {
    const a = unansweredQuestions('c1', [turn('caller', 'Do you accept Cigna insurance?'), turn('agent', "I don't know.")]);
    const b = unansweredQuestions('c2', [turn('caller', 'Is Cigna insurance accepted?'), turn('agent', 'No information on that, sorry.')]);
    const c = unansweredQuestions('c3', [turn('caller', 'Where can I park?'), turn('agent', 'I can take a message.')]);
    const groups = groupQuestions([...a, ...b, ...c]);
    expect(groups.map((g) => g.map((q) => q.call_id))).toEqual([['c1', 'c2'], ['c3']]);
    const site = ['Gentle family dentistry.', 'We accept Delta Dental, Cigna and Aetna PPO insurance plans.'];
    expect(draftAnswer(keywords('Do you accept Cigna insurance?'), site)).toBe('We accept Delta Dental, Cigna and Aetna PPO insurance plans.');
    expect(draftAnswer(keywords('Where can I park?'), site)).toBeNull();
  });
});

const doc = (id: string, title: string, content: string) => ({ id, title, content, source: 'research' as const, source_url: null, updated_at: new Date(0) });
const HOURS = doc('kb_hours', 'Opening hours', '<website_data>\nSummary: Monday–Friday 8:00 AM–5:00 PM; Saturday 9:00 AM–1:00 PM; Sunday closed\n\nMonday: 8:00 AM–5:00 PM\nSaturday: 9:00 AM–1:00 PM\nSunday: closed\n</website_data>');
const FEES = doc('kb_fees', 'Fees and insurance', 'We accept Delta Dental, Cigna and Aetna PPO plans. A cleaning costs $95. Questions about a bill? Call (217) 555-0142.');
const exchange = (question: string, answer: string) => [turn('agent', 'Smile Dental, how can I help?'), turn('caller', question), turn('agent', answer)];

describe('agent answers that contradict the knowledge base (typed values)', () => {
  it('flags "we open at 9" against "8:00 AM" with both sentences quoted verbatim', () => {
    const flags = findContradictions(new Map([['call_1', exchange('Hi. What time do you open on Monday?', 'Sure. We open at 9 on Mondays.')]]), [FEES, HOURS]);
    expect(flags).toEqual([
      expect.objectContaining({ kind: 'contradiction', value_kind: 'time', call_id: 'call_1', turn: 2, quote: 'We open at 9 on Mondays.', doc_id: 'kb_hours', doc_title: 'Opening hours', agent_values: ['9'] }),
    ]);
    expect(HOURS.content).toContain(flags[0].kb_quote);
    expect(flags[0].kb_quote).toContain('8:00 AM');
    expect(flags[0].detail).toContain('We open at 9 on Mondays.');
  });

  it('flags prices, phone numbers, closed days and a "no" the KB contradicts', () => {
    const flags = findContradictions(
      new Map([
        ['c_price', exchange('How much is a cleaning?', 'A cleaning is $120.')],
        ['c_phone', exchange('What number do I call about my bill?', 'For a bill, call 217-555-0199.')],
        ['c_closed', exchange('Are you open on Saturday?', 'No, we are closed on Saturdays.')],
        ['c_sunday', exchange('Are you open on Sunday?', 'Yes, we are open Sunday from 10 to 2.')],
        ['c_cigna', exchange('Do you take Cigna?', "No, we don't take Cigna, sorry.")],
      ]),
      [HOURS, FEES],
    );
    expect(flags.map((f) => [f.call_id, f.value_kind, f.kb_quote])).toEqual([
      ['c_price', 'money', 'A cleaning costs $95.'],
      ['c_phone', 'phone', 'Call (217) 555-0142.'],
      ['c_closed', 'open_day', 'Saturday 9:00 AM–1:00 PM'],
      ['c_sunday', 'open_day', 'Sunday closed'],
      ['c_cigna', 'service', 'We accept Delta Dental, Cigna and Aetna PPO plans.'],
    ]);
  });

  it('raises nothing when the values agree, the KB is silent on the subject, or the agent deflected', () => {
    const flags = findContradictions(
      new Map([
        ['agree', [...exchange('When do you open on Monday?', 'We open at 8 on Mondays and close at 5 pm.'), turn('caller', 'Do you take Cigna?'), turn('agent', 'Yes, we accept Cigna.'), turn('caller', 'What does a cleaning cost?'), turn('agent', 'A cleaning is $95.')]],
        // the KB says nothing about dogs or implants, so nothing contradicts these
        ['silent', [...exchange('Can I bring my dog?', 'Yes, dogs are welcome until 6 pm.'), turn('caller', 'How much do implants cost?'), turn('agent', 'Implants are $3,000.')]],
        ['deflected', exchange('What time do you open on Monday?', "I'm not sure, it might be 10. I can take a message.")],
        // no day named: Saturday's 9:00 AM agrees with "we open at 9"
        ['unscoped', exchange('When do you open?', 'We open at 9.')],
      ]),
      [HOURS, FEES],
    );
    expect(flags).toEqual([]);
    expect(findContradictions(new Map([['c', exchange('What time do you open on Monday?', 'We open at 9 on Mondays.')]]), [FEES])).toEqual([]);
  });

  it('stays bounded on hostile input: huge turns, many calls, a huge knowledge base', () => {
    const huge = 'We open at 9 on Mondays. '.repeat(40_000) + '9'.repeat(200_000);
    const transcripts = new Map<string, ReturnType<typeof turn>[]>();
    for (let c = 0; c < 100; c++) {
      const turns: ReturnType<typeof turn>[] = [];
      for (let i = 0; i < 500; i++) turns.push(turn('caller', `What time do you open on Monday? ${'a'.repeat(1_000)}`), turn('agent', i % 2 ? huge : 'We open at 9 on Mondays.'));
      transcripts.set(`call_${c}`, turns);
    }
    const bigKb = Array.from({ length: 200 }, (_, i) => doc(`kb_${i}`, 'Opening hours', 'Monday: 8:00 AM–5:00 PM\n'.repeat(2_000)));
    const started = Date.now();
    const flags = findContradictions(transcripts, bigKb);
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.length).toBeLessThanOrEqual(CONTRADICTION_LIMITS.flags);
    for (const f of flags) expect(f.quote.length).toBeLessThanOrEqual(CONTRADICTION_LIMITS.sentenceChars);
    // generous: the caps keep it to a fixed amount of work whatever the input's size
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('splits sentences without breaking "a.m." and reads the values a text states', () => {
    expect(clausesOf('We open at 8 a.m. Monday. Closed Sunday! Why? ok then')).toEqual(['We open at 8 a.m. Monday.', 'Closed Sunday!', 'Why?', 'ok then']);
    expect(statedValues('Open 8 a.m. to 5, cleanings $95.50, call (217) 555-0142; open 24 hours on the 5th.').map((v) => v.raw)).toEqual(['8 a.m.', '5', '$95.50', '(217) 555-0142']);
  });
});
