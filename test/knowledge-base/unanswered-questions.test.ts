import { draftAnswer, groupQuestions, isDeflection, keywords, unansweredQuestions } from '../../core/knowledge-base/unanswered-questions';

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
