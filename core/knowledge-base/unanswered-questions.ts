import type { TranscriptTurn } from '../calls/call-types';

/** An agent turn that did not answer: no information, a message offered, a deflection. Phrase rules, checked once per turn. */
const DEFLECTION = new RegExp(
  [
    "(?:do not|don't|dont) have (?:any |that |the )?(?:information|details|info)",
    'no information',
    "(?:do not|don't) know",
    "(?:not|n't) sure",
    "(?:unable|not able) to (?:answer|help with|say|tell|confirm)",
    "(?:can ?not|can't|cannot) (?:answer|say|tell|confirm|help with)",
    '(?:take|leave) a message',
    'have someone (?:call|get back|reach out)',
    'someone (?:will|can) (?:call|get back|reach out)',
    'check with (?:the|our) (?:team|office|staff|manager)',
    'pass (?:that|this|your question) (?:on|along)',
  ].join('|'),
  'i',
);

const QUESTION_START = /^(?:what|when|where|who|why|how|which|do|does|did|can|could|is|are|will|would|should|may|might|have|has)\b/i;

const STOP = new Set('a an the is are was were be do does did can could will would should may might i you we they it its of to in on at for with and or your our my me us about any there this that what when where who why how which have has if from by as so'.split(' '));

export interface UnansweredQuestion {
  call_id: string;
  /** Index of the caller's turn in the transcript. */
  turn: number;
  /** The question exactly as it appears in the turn's text. */
  quote: string;
  tokens: Set<string>;
}

export function keywords(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2 && !STOP.has(w))
      .map((w) => (w.length > 4 && w.endsWith('s') ? w.slice(0, -1) : w)),
  );
}

/** The question sentence of a caller turn (the last one that ends in "?" or starts like a question), verbatim. */
export function questionIn(text: string): string | null {
  const sentences = text.match(/[^.!?]+[.!?]*/g) ?? [];
  for (let i = sentences.length - 1; i >= 0; i--) {
    const s = sentences[i].trim();
    if (s.endsWith('?') || QUESTION_START.test(s)) return s;
  }
  return null;
}

export function isDeflection(text: string): boolean {
  return DEFLECTION.test(text);
}

/** Caller questions followed by an agent turn that did not answer them. One pass over the turns. */
export function unansweredQuestions(callId: string, turns: TranscriptTurn[]): UnansweredQuestion[] {
  const found: UnansweredQuestion[] = [];
  for (let i = 0; i < turns.length - 1; i++) {
    if (turns[i].role !== 'caller') continue;
    const reply = turns[i + 1];
    if (reply.role !== 'agent' || !isDeflection(reply.text)) continue;
    const quote = questionIn(turns[i].text);
    if (quote) found.push({ call_id: callId, turn: i, quote, tokens: keywords(quote) });
  }
  return found;
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / Math.min(a.size, b.size);
}

/** Groups questions that share most of their keywords (the first one seen names the group). */
export function groupQuestions(questions: UnansweredQuestion[]): UnansweredQuestion[][] {
  const groups: UnansweredQuestion[][] = [];
  for (const q of questions) {
    const group = groups.find((g) => similarity(g[0].tokens, q.tokens) >= 0.6);
    if (group) group.push(q);
    else groups.push([q]);
  }
  return groups;
}

/** The sentences of `texts` that best answer `question` (sharing at least two of its keywords, or its only one), or null. */
export function draftAnswer(question: Set<string>, texts: string[]): string | null {
  let best: { sentence: string; score: number } | null = null;
  const needed = Math.min(2, question.size);
  if (needed === 0) return null;
  for (const text of texts) {
    for (const raw of text.match(/[^.!?\n]+[.!?]*/g) ?? []) {
      const sentence = raw.trim();
      if (sentence.length < 12 || sentence.endsWith('?')) continue;
      const words = keywords(sentence);
      let score = 0;
      for (const t of question) if (words.has(t)) score++;
      if (score >= needed && (!best || score > best.score)) best = { sentence, score };
    }
  }
  return best?.sentence ?? null;
}
