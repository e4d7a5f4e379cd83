import { findPhrase, phrase, type Phrase, tokenize } from './transcript-tokens';

/**
 * How sure the caller sounded. A hedge in the sentence of a value ("I think it's", "maybe
 * Tuesday", "not sure, probably fifteen") takes it below any template's threshold; an
 * approximation ("about fifteen years") barely lowers it, since many fields are approximate by
 * definition. A correction marker ("no, sorry, it's…", "actually make that…") before a value
 * makes it replace what the caller said earlier.
 */
const STRONG_HEDGES: Phrase[] = [
  'i think', 'i believe', 'i guess', 'maybe', 'probably', 'not sure', 'im not sure', 'not certain', 'might be', 'might', 'possibly',
  'i dont know', 'dont remember', 'i cant remember', 'not a hundred percent', 'if i remember', 'could be', 'perhaps', 'i suppose', 'kind of', 'sort of', 'or something',
].map(phrase);
const MILD_HEDGES: Phrase[] = ['about', 'around', 'roughly', 'approximately', 'or so', 'give or take', 'ish', 'something like'].map(phrase);
const CORRECTIONS: Phrase[] = [
  'actually', 'sorry', 'i mean', 'make that', 'correction', 'scratch that', 'wait', 'no no', 'not', 'rather', 'let me correct', 'i meant', 'my mistake', 'oops',
].map(phrase);

export const STRONG_HEDGE_PENALTY = 0.3;
export const MILD_HEDGE_PENALTY = 0.05;

export function hedgePenalty(sentence: string): number {
  const tokens = tokenize(sentence);
  if (STRONG_HEDGES.some((p) => findPhrase(tokens, p).length > 0)) return STRONG_HEDGE_PENALTY;
  if (MILD_HEDGES.some((p) => findPhrase(tokens, p).length > 0) || tokens.some((t) => t.norm.endsWith('ish') && t.norm.length > 4 && /^[0-9]/.test(t.norm))) return MILD_HEDGE_PENALTY;
  return 0;
}

/** Whether the words before a value (in its turn) correct something said earlier. */
export function isCorrection(textBefore: string): boolean {
  const tokens = tokenize(textBefore.slice(-160));
  return CORRECTIONS.some((p) => findPhrase(tokens, p).length > 0) || (tokens[0]?.norm === 'no' && tokens.length <= 12);
}
