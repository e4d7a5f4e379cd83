import type { ExtractionField } from '../../templates/template';
import { findPhrase, negatedBefore, phrase, type Phrase, type Token } from './transcript-tokens';

/**
 * Booleans, two ways: the caller's answer to the agent's yes/no question, and statements that
 * settle a common boolean field without a question ("I rent", "it's my first time").
 */
export interface YesNo {
  value: boolean;
  hedged: boolean;
  /** Token range of the answer words. */
  first: number;
  last: number;
}

const YES: Phrase[] = ['yes', 'yeah', 'yep', 'yup', 'ya', 'correct', 'right', 'sure', 'absolutely', 'definitely', 'of course', 'i do', 'we do', 'she is', 'he is', 'they are', 'i am', 'it is', 'that is right', 'thats right', 'uh huh', 'mhm', 'affirmative', 'i have', 'we have', 'it has', 'there is'].map(phrase);
const NO: Phrase[] = ['no', 'nope', 'nah', 'not really', 'i dont', 'we dont', 'none', 'nobody', 'no one', 'never', 'negative', 'i havent', 'we havent', 'it isnt', 'its not', 'he isnt', 'she isnt', 'not yet', 'i am not', 'im not', 'uh uh'].map(phrase);
const HEDGED_YES: Phrase[] = ['i think so', 'i believe so', 'probably', 'maybe', 'i guess so', 'should be', 'pretty sure'].map(phrase);
const HEDGED_NO: Phrase[] = ['i dont think so', 'i dont believe so', 'probably not', 'not that i know', 'i doubt it', 'dont think'].map(phrase);

/** The answer at the start of a caller turn (its first eight words), or null when it is neither. */
export function yesNoAnswer(tokens: readonly Token[]): YesNo | null {
  const head = tokens.slice(0, 8);
  const earliest = (phrases: Phrase[]): { at: number; len: number } | null => {
    let best: { at: number; len: number } | null = null;
    for (const p of phrases) for (const at of findPhrase(head, p)) if (!best || at < best.at || (at === best.at && p.length > best.len)) best = { at, len: p.length };
    return best;
  };
  const candidates: { value: boolean; hedged: boolean; hit: { at: number; len: number } | null }[] = [
    { value: false, hedged: true, hit: earliest(HEDGED_NO) },
    { value: true, hedged: true, hit: earliest(HEDGED_YES) },
    { value: false, hedged: false, hit: earliest(NO) },
    { value: true, hedged: false, hit: earliest(YES) },
  ];
  // the earliest answer word wins; at the same word, the longer (hedged) phrasing
  let best: { value: boolean; hedged: boolean; at: number; len: number } | null = null;
  for (const c of candidates) {
    if (!c.hit) continue;
    if (!best || c.hit.at < best.at || (c.hit.at === best.at && c.hit.len > best.len)) best = { value: c.value, hedged: c.hedged, at: c.hit.at, len: c.hit.len };
  }
  if (!best || best.at > 3) return null;
  return { value: best.value, hedged: best.hedged, first: best.at, last: best.at + best.len - 1 };
}

/** Statements that answer a boolean field on their own, keyed by a word of the field's name. */
const STATEMENTS: { fieldWord: string; phrases: { words: string; value: boolean }[] }[] = [
  {
    fieldWord: 'new',
    phrases: [
      { words: 'first time', value: true }, { words: 'never been', value: true }, { words: 'new patient', value: true }, { words: 'new client', value: true },
      { words: 'havent been there before', value: true }, { words: 'havent been in before', value: true }, { words: 'just moved', value: true },
      { words: 'existing patient', value: false }, { words: 'been coming', value: false }, { words: 'been there before', value: false }, { words: 'been in before', value: false },
      { words: 'current patient', value: false }, { words: 'regular', value: false }, { words: 'been a patient', value: false }, { words: 'been a client', value: false },
      { words: 'last time i was in', value: false }, { words: 'my last visit', value: false },
    ],
  },
  {
    fieldWord: 'owner',
    phrases: [
      { words: 'i own', value: true }, { words: 'we own', value: true }, { words: 'homeowner', value: true }, { words: 'im the owner', value: true }, { words: 'own the house', value: true },
      { words: 'i rent', value: false }, { words: 'we rent', value: false }, { words: 'renting', value: false }, { words: 'tenant', value: false }, { words: 'my landlord', value: false }, { words: 'our landlord', value: false },
    ],
  },
  {
    fieldWord: 'occupants',
    phrases: [
      { words: 'elderly', value: true }, { words: 'newborn', value: true }, { words: 'baby', value: true }, { words: 'infant', value: true }, { words: 'oxygen', value: true },
      { words: 'my mother lives', value: true }, { words: 'just us', value: false }, { words: 'just me', value: false },
    ],
  },
  {
    fieldWord: 'shut',
    phrases: [
      { words: 'shut off the water', value: true }, { words: 'shut the water off', value: true }, { words: 'turned off the water', value: true }, { words: 'turned the water off', value: true },
      { words: 'shut off the main', value: true }, { words: 'turned off the main', value: true }, { words: 'water is off', value: true }, { words: 'shut it off', value: true },
      { words: 'cant find the shut', value: false }, { words: 'cant shut', value: false }, { words: 'still running', value: false },
    ],
  },
  {
    fieldWord: 'preapproved',
    phrases: [
      { words: 'pre approved', value: true }, { words: 'preapproved', value: true }, { words: 'paying cash', value: true }, { words: 'cash buyer', value: true }, { words: 'pre qualified', value: true },
    ],
  },
  {
    fieldWord: 'agent',
    phrases: [
      { words: 'already have an agent', value: true }, { words: 'working with an agent', value: true }, { words: 'my agent', value: true }, { words: 'my realtor', value: true },
      { words: 'dont have an agent', value: false }, { words: 'no agent', value: false },
    ],
  },
  {
    fieldWord: 'attorney',
    phrases: [
      { words: 'have a lawyer', value: true }, { words: 'have an attorney', value: true }, { words: 'my lawyer', value: true }, { words: 'my attorney', value: true },
      { words: 'dont have a lawyer', value: false }, { words: 'dont have an attorney', value: false }, { words: 'no lawyer', value: false },
    ],
  },
  {
    fieldWord: 'safe',
    phrases: [
      { words: 'smoke', value: false }, { words: 'wont start', value: false }, { words: 'brakes are gone', value: false }, { words: 'cant stop', value: false },
      { words: 'drives fine', value: true }, { words: 'driving it fine', value: true }, { words: 'runs fine', value: true }, { words: 'still drivable', value: true },
    ],
  },
];

export interface BooleanStatement {
  value: boolean;
  first: number;
  last: number;
}

export function booleanStatements(field: ExtractionField, tokens: readonly Token[]): BooleanStatement[] {
  const nameWords = field.name.split('_');
  const found: BooleanStatement[] = [];
  for (const group of STATEMENTS) {
    if (!nameWords.includes(group.fieldWord)) continue;
    for (const p of group.phrases) {
      const words = phrase(p.words);
      for (const at of findPhrase(tokens, words)) {
        const negated = negatedBefore(tokens, at, 2) && !words.some((w) => w === 'no' || w.endsWith('nt'));
        found.push({ value: negated ? !p.value : p.value, first: at, last: at + words.length - 1 });
      }
    }
  }
  return found.sort((a, b) => a.first - b.first);
}
