import type { ExtractedField, ExtractionEvidence, ExtractionInput, ExtractionResult, CallExtractor, TranscriptTurn } from '../call-types';
import type { ExtractionField } from '../../templates/template';
import { maskSensitiveTurns } from '../sensitive-data-masking';
import { scoreOutcome } from './disposition-scorer';
import { enumMentions } from './enum-synonyms';
import { hedgePenalty, isCorrection } from './hedging';
import { nameMentions, type NameMention } from './name-mentions';
import { questionTarget, type QuestionTarget } from './question-context';
import { amounts } from './spoken-numbers';
import { dateMentions } from './spoken-dates';
import { emailMentions } from './spoken-emails';
import { phoneMentions } from './spoken-phone-numbers';
import { addressMentions } from './street-addresses';
import { boundTurns } from './transcript-bounds';
import { findPhrase, phrase, sentenceAround, tokenize, type Token } from './transcript-tokens';
import { vehicleMention } from './vehicle-mentions';
import { booleanStatements, yesNoAnswer } from './yes-no-answers';

export const DETERMINISTIC_EXTRACTOR_NAME = 'deterministic-v1';

/**
 * Fills a template's extraction schema from the transcript without a model. Every value is
 * taken from a caller turn and cites it; what the caller never said stays null with confidence 0.
 * Which field an answer belongs to comes first from the agent's preceding question, then from
 * the words around the value. Confidence starts from how explicit the mention is, drops for
 * hedging and for conflicting mentions, and a correction ("no, sorry, it's…") replaces what
 * came before it.
 */
interface Candidate {
  value: string | number | boolean;
  confidence: number;
  evidence: ExtractionEvidence;
  turn: number;
  /** Offset in the turn, to order mentions within one. */
  at: number;
  correction: boolean;
  /** Spelled out or otherwise confirmed: wins over an unconfirmed mention of the same kind. */
  confirmed?: boolean;
}

interface CallerTurn {
  index: number;
  text: string;
  tokens: Token[];
  target: QuestionTarget | null;
  /** The agent turn the caller is answering, if any. */
  asked: string | null;
}

const FILLERS = new Set(['hi', 'hello', 'hey', 'yeah', 'yes', 'yep', 'sure', 'um', 'uh', 'so', 'well', 'oh', 'okay', 'ok', 'its', 'it', 'is', 'thats', 'like', 'hmm', 'right', 'and', 'the', 'its', 'uhh', 'umm']);
const NON_ANSWERS = ['i dont know', 'not sure', 'no idea', 'i have no idea', 'dont remember', 'i cant remember', 'no preference', 'doesnt matter'].map(phrase);

const PERSON_NAME_FIELD = /(^|_)name$/;
const FREE_TEXT = /own words|in their words|in the caller's words|in the owner's words|in the customer's words|summary|what the caller needs|asked for, in|reason/i;

function clamp(n: number): number {
  return Math.max(0, Math.min(0.99, Math.round(n * 100) / 100));
}

function quoteOf(turn: CallerTurn, start: number, end: number): ExtractionEvidence {
  return { turn: turn.index, quote: turn.text.slice(start, end) };
}

function hedged(turn: CallerTurn, start: number, end: number): number {
  const s = sentenceAround(turn.text, start, end);
  return hedgePenalty(turn.text.slice(s.start, s.end));
}

function correctionBefore(turn: CallerTurn, start: number): boolean {
  return isCorrection(turn.text.slice(0, start));
}

/** The caller's answer with leading filler and trailing punctuation trimmed: the offsets of the substance. */
function answerSpan(turn: CallerTurn, maxChars = 300): { start: number; end: number } | null {
  const tokens = turn.tokens;
  let i = 0;
  while (i < tokens.length && FILLERS.has(tokens[i].norm)) i += 1;
  if (i >= tokens.length) return null;
  if (NON_ANSWERS.some((p) => findPhrase(tokens.slice(0, Math.min(tokens.length, i + 6)), p).length > 0) && tokens.length - i < 10) return null;
  const start = tokens[i].start;
  let end = tokens[tokens.length - 1].end;
  if (end - start > maxChars) {
    const cut = tokens.filter((t) => t.end - start <= maxChars);
    end = cut.length > 0 ? cut[cut.length - 1].end : start + maxChars;
  }
  return { start, end };
}

function nameFields(fields: readonly ExtractionField[]): { self: ExtractionField | null; other: ExtractionField | null; pet: ExtractionField | null } {
  const people = fields.filter((f) => f.type === 'string' && PERSON_NAME_FIELD.test(f.name) && f.name !== 'pet_name');
  const pet = fields.find((f) => f.type === 'string' && f.name === 'pet_name') ?? null;
  const callerField = people.find((f) => f.name.startsWith('caller'));
  const otherField = people.find((f) => f !== callerField) ?? null;
  // with both "patient_name" and "caller_name", the caller's own name is the patient's unless someone else is named
  return { self: callerField ?? otherField, other: callerField ? otherField : null, pet };
}

export class DeterministicCallExtractor implements CallExtractor {
  readonly name = DETERMINISTIC_EXTRACTOR_NAME;

  async extract(input: ExtractionInput, signal?: AbortSignal): Promise<ExtractionResult> {
    signal?.throwIfAborted();
    return extractDeterministically(input);
  }
}

export function extractDeterministically(input: ExtractionInput): ExtractionResult {
  const turns: TranscriptTurn[] = maskSensitiveTurns(boundTurns(input.turns));
  const fields = input.schema.fields;
  const candidates = new Map<string, Candidate[]>(fields.map((f) => [f.name, []]));
  const add = (field: ExtractionField | null | undefined, c: Candidate): void => {
    if (field) candidates.get(field.name)?.push(c);
  };

  const targets = new Map<number, QuestionTarget | null>();
  const callerTurns: CallerTurn[] = [];
  let lastAgent = -1;
  for (let i = 0; i < turns.length; i++) {
    if (turns[i].role === 'agent') {
      lastAgent = i;
      continue;
    }
    // an answer split over two caller turns still answers the question before them
    const askedBy = lastAgent >= 0 && i - lastAgent <= 2 ? lastAgent : -1;
    if (askedBy >= 0 && !targets.has(askedBy)) targets.set(askedBy, questionTarget(turns[askedBy].text, fields));
    callerTurns.push({ index: i, text: turns[i].text, tokens: tokenize(turns[i].text), target: askedBy >= 0 ? (targets.get(askedBy) ?? null) : null, asked: askedBy >= 0 ? turns[askedBy].text : null });
  }

  const byType = (type: ExtractionField['type']): ExtractionField[] => fields.filter((f) => f.type === type);
  const phoneFields = byType('phone');
  const emailFields = byType('email');
  const dateFields = fields.filter((f) => f.type === 'date' || f.type === 'datetime');
  const names = nameFields(fields);
  const petContext = names.pet !== null;
  const vehicleFields = { year: fields.find((f) => f.name === 'vehicle_year'), make: fields.find((f) => f.name === 'vehicle_make'), model: fields.find((f) => f.name === 'vehicle_model') };
  // With a patient and a caller field, the caller's own name is the patient's unless the call is about someone else.
  const pendingSelf: Candidate[] = [];
  let someoneElseNamed = false;
  const claimed = new Set<number>(); // caller turns whose words went to a typed field; free text does not reuse them as a whole

  for (const turn of callerTurns) {
    const target = turn.target?.field ?? null;
    const targetIs = (f: ExtractionField | null | undefined): boolean => !!f && target?.name === f.name;

    // phone
    const phones = phoneMentions(turn.tokens, input.country);
    for (const p of phones) {
      const field = phoneFields.find((f) => targetIs(f)) ?? phoneFields[0];
      const start = turn.tokens[p.first].start;
      const end = turn.tokens[p.last].end;
      add(field, { value: p.e164, confidence: (p.valid ? 0.92 : 0.85) - hedged(turn, start, end), evidence: quoteOf(turn, start, end), turn: turn.index, at: start, correction: correctionBefore(turn, start) });
      claimed.add(turn.index);
    }
    // "So that's 312 555 0147, right?" — "Yes.": the caller's yes confirms the number the agent read back
    const readBack = phones.length === 0 && turn.asked && phoneFields.length > 0 ? phoneMentions(tokenize(turn.asked), input.country) : [];
    if (readBack.length === 1) {
      const yes = yesNoAnswer(turn.tokens);
      if (yes?.value) {
        const start = turn.tokens[yes.first].start;
        const end = turn.tokens[yes.last].end;
        add(phoneFields[0], { value: readBack[0].e164, confidence: yes.hedged ? 0.55 : 0.9, evidence: quoteOf(turn, start, end), turn: turn.index, at: start, correction: false });
      }
    } else if (phones.length === 0 && input.caller_number && phoneFields.length > 0) {
      const thisNumber = ['this number', 'number im calling from', 'number i am calling from', 'one i am calling from', 'this one', 'same number', 'the one im calling from', 'number i called from', 'this phone'].map(phrase);
      const hit = thisNumber.map((p) => ({ p, at: findPhrase(turn.tokens, p)[0] })).find((h) => h.at !== undefined);
      const phoneTarget = phoneFields.find((f) => targetIs(f));
      const yes = phoneTarget ? yesNoAnswer(turn.tokens) : null;
      if (hit && (phoneTarget || findPhrase(turn.tokens, phrase('number')).length > 0 || findPhrase(turn.tokens, phrase('reach')).length > 0)) {
        const start = turn.tokens[hit.at].start;
        const end = turn.tokens[hit.at + hit.p.length - 1].end;
        add(phoneTarget ?? phoneFields[0], { value: input.caller_number, confidence: 0.85 - hedged(turn, start, end), evidence: quoteOf(turn, start, end), turn: turn.index, at: start, correction: false });
      } else if (yes && yes.value && phoneTarget) {
        // "Is the number you're calling from the best one?" — "Yes."
        const start = turn.tokens[yes.first].start;
        const end = turn.tokens[yes.last].end;
        add(phoneTarget, { value: input.caller_number, confidence: yes.hedged ? 0.55 : 0.85, evidence: quoteOf(turn, start, end), turn: turn.index, at: start, correction: false });
      }
    }

    // e-mail
    for (const e of emailMentions(turn.text, turn.tokens)) {
      const field = emailFields.find((f) => targetIs(f)) ?? emailFields[0];
      add(field, { value: e.email, confidence: 0.9 - hedged(turn, e.start, e.end), evidence: quoteOf(turn, e.start, e.end), turn: turn.index, at: e.start, correction: correctionBefore(turn, e.start) });
      claimed.add(turn.index);
    }

    // dates and times
    if (dateFields.length > 0) {
      for (const d of dateMentions(turn.text, input.call_started_at, input.timezone)) {
        const sentence = sentenceAround(turn.text, d.start, d.end);
        const field = dateFieldFor(dateFields, target, turn.text.slice(sentence.start, sentence.end), d.value, input.call_started_at);
        if (!field) continue;
        let value = d.value;
        let confidence = 0.9;
        if (field.type === 'date') value = d.value.slice(0, 10);
        else if (d.kind === 'date') confidence = 0.8; // a day without a time: true, but less than asked
        if (d.approximateTime) confidence = 0.8;
        if (d.vague) confidence = 0.55; // "next week" names no day
        add(field, { value, confidence: confidence - hedged(turn, d.start, d.end), evidence: quoteOf(turn, d.start, d.end), turn: turn.index, at: d.start, correction: correctionBefore(turn, d.start) });
        claimed.add(turn.index);
      }
    }

    // names
    const expectingName = !!target && PERSON_NAME_FIELD.test(target.name);
    const bareRole = target?.name === 'pet_name' ? 'pet' : 'self';
    const greeting = turn === callerTurns[0];
    for (const m of nameMentions(turn.text, expectingName, petContext, bareRole, greeting)) {
      if (m.role === 'other') someoneElseNamed = true;
      const field = nameFieldFor(m, names, target, turn.text.slice(0, m.start));
      if (!field) continue;
      (field === SELF_PENDING ? pendingSelf : (candidates.get(field.name) ?? [])).push({ value: m.name, confidence: (m.spelled ? 0.95 : 0.88) - hedged(turn, m.start, m.end), evidence: quoteOf(turn, m.start, m.end), turn: turn.index, at: m.start, correction: correctionBefore(turn, m.start), confirmed: m.spelled });
      claimed.add(turn.index);
    }

    // addresses
    const addressFields = fields.filter((f) => f.type === 'string' && f.name.includes('address') && f.name !== 'email');
    if (addressFields.length > 0) {
      const mentions = addressMentions(turn.text);
      const field = addressFields.find((f) => targetIs(f)) ?? addressFields[0];
      for (const a of mentions) {
        add(field, { value: a.address, confidence: (a.complete ? 0.88 : 0.8) - hedged(turn, a.start, a.end), evidence: quoteOf(turn, a.start, a.end), turn: turn.index, at: a.start, correction: correctionBefore(turn, a.start) });
        claimed.add(turn.index);
      }
    }

    // vehicles
    if (vehicleFields.make || vehicleFields.model || vehicleFields.year) {
      const v = vehicleMention(turn.tokens);
      if (v) {
        const span = (r: { first: number; last: number }): [number, number] => [turn.tokens[r.first].start, turn.tokens[r.last].end];
        if (v.make) {
          const [s, e] = span(v.make);
          const said = turn.tokens[v.make.first].norm !== v.model?.value.toLowerCase();
          add(vehicleFields.make, { value: v.make.value, confidence: (said ? 0.9 : 0.75) - hedged(turn, s, e), evidence: quoteOf(turn, s, e), turn: turn.index, at: s, correction: correctionBefore(turn, s) });
        }
        if (v.model) {
          const [s, e] = span(v.model);
          add(vehicleFields.model, { value: v.model.value, confidence: 0.85 - hedged(turn, s, e), evidence: quoteOf(turn, s, e), turn: turn.index, at: s, correction: correctionBefore(turn, s) });
        }
        if (v.year) {
          const [s, e] = span(v.year);
          add(vehicleFields.year, { value: v.year.value, confidence: 0.9 - hedged(turn, s, e), evidence: quoteOf(turn, s, e), turn: turn.index, at: s, correction: correctionBefore(turn, s) });
        }
        claimed.add(turn.index);
      }
    }

    // numbers
    for (const a of amounts(turn.tokens)) {
      const field = numberFieldFor(fields, target, turn.tokens, a.first, a.last, a.value);
      if (!field) continue;
      const start = turn.tokens[a.first].start;
      let endTok = a.last;
      while (endTok + 1 < turn.tokens.length && endTok < a.last + 2 && UNIT_WORDS.has(turn.tokens[endTok + 1].norm)) endTok += 1;
      const end = turn.tokens[endTok].end;
      add(field, { value: a.value, confidence: 0.88 - hedged(turn, start, end) + (targetIs(field) ? 0.04 : 0), evidence: quoteOf(turn, start, end), turn: turn.index, at: start, correction: correctionBefore(turn, start) });
    }

    // booleans: the answer to the agent's yes/no question, then statements that settle a field
    if (target && turn.target?.yesNo && target.type === 'boolean') {
      const answer = yesNoAnswer(turn.tokens);
      if (answer) {
        const start = turn.tokens[answer.first].start;
        const end = turn.tokens[answer.last].end;
        const sentence = sentenceAround(turn.text, start, end);
        const penalty = answer.hedged ? 0.3 : hedgePenalty(turn.text.slice(sentence.start, sentence.end));
        add(target, { value: turn.target.inverted ? !answer.value : answer.value, confidence: 0.9 - penalty, evidence: quoteOf(turn, start, sentence.end > end ? Math.min(sentence.end, end + 80) : end), turn: turn.index, at: start, correction: false });
      }
    }
    for (const field of byType('boolean')) {
      for (const s of booleanStatements(field, turn.tokens)) {
        const start = turn.tokens[s.first].start;
        const end = turn.tokens[s.last].end;
        add(field, { value: s.value, confidence: 0.8 - hedged(turn, start, end), evidence: quoteOf(turn, start, end), turn: turn.index, at: start, correction: correctionBefore(turn, start) });
      }
    }

    // enums
    for (const field of byType('enum')) {
      for (const m of enumMentions(field, turn.tokens)) {
        const start = turn.tokens[m.first].start;
        const end = turn.tokens[m.last].end;
        const base = 0.78 + 0.08 * Math.min(1, m.strength) + (targetIs(field) ? 0.05 : 0);
        add(field, { value: m.value, confidence: base - hedged(turn, start, end), evidence: quoteOf(turn, start, end), turn: turn.index, at: start, correction: false });
      }
    }

    // other strings: the answer to the agent's question about them
    if (target && target.type === 'string' && !PERSON_NAME_FIELD.test(target.name) && !target.name.includes('address') && !isVehicleField(target.name)) {
      const span = answerSpan(turn);
      if (span) add(target, { value: turn.text.slice(span.start, span.end), confidence: 0.8 - hedged(turn, span.start, span.end), evidence: quoteOf(turn, span.start, span.end), turn: turn.index, at: span.start, correction: correctionBefore(turn, span.start) });
    }
  }

  const selfField = names.other && names.self ? (someoneElseNamed ? names.self : names.other) : names.self;
  if (selfField) candidates.get(selfField.name)?.push(...pendingSelf);

  // Free-text fields nobody asked about directly: the caller's first substantial description.
  for (const field of fields.filter((f) => f.type === 'string' && FREE_TEXT.test(f.description) && !PERSON_NAME_FIELD.test(f.name))) {
    const list = candidates.get(field.name)!;
    if (list.length > 0) continue;
    const turn = callerTurns.find((t) => t.tokens.length >= 5 && !claimed.has(t.index)) ?? callerTurns.find((t) => t.tokens.length >= 8);
    if (!turn) continue;
    const span = answerSpan(turn, 400);
    if (span) list.push({ value: turn.text.slice(span.start, span.end), confidence: 0.72 - hedged(turn, span.start, span.end) / 2, evidence: quoteOf(turn, span.start, span.end), turn: turn.index, at: span.start, correction: false });
  }

  const result: ExtractedField[] = fields.map((f) => resolve(f, candidates.get(f.name) ?? []));
  const outcome = scoreOutcome(turns, input.dispositions);
  return { extractor: DETERMINISTIC_EXTRACTOR_NAME, intent: outcome.intent, disposition: outcome.disposition, fields: result };
}

/** A value contradicted by another mention, without a correction between them. */
export const CONFLICT_PENALTY = 0.25;
const LISTED_PENALTY = 0.1;

const UNIT_WORDS = new Set(['years', 'year', 'yrs', 'old', 'miles', 'mi', 'dollars', 'bucks', 'people', 'guests', 'bedrooms', 'bedroom', 'beds', 'bed', 'thousand', 'k', 'grand', 'adults', 'kids', 'of']);

function isVehicleField(name: string): boolean {
  return name === 'vehicle_make' || name === 'vehicle_model' || name === 'vehicle_year';
}

function numberFieldFor(fields: readonly ExtractionField[], target: ExtractionField | null, tokens: readonly Token[], first: number, last: number, value: number): ExtractionField | null {
  const numbers = fields.filter((f) => f.type === 'number' && f.name !== 'vehicle_year');
  if (numbers.length === 0) return null;
  const after = tokens.slice(last + 1, last + 3).map((t) => t.norm);
  const before = tokens.slice(Math.max(0, first - 3), first).map((t) => t.norm);
  const gap = tokens[first].gap;
  const named = (re: RegExp): ExtractionField | undefined => numbers.find((f) => re.test(f.name));
  const isMoney = gap.includes('$') || after.some((w) => ['dollars', 'bucks', 'grand', 'k', 'thousand', 'million'].includes(w)) || /k$|m$/.test(tokens[first].norm);
  if (isMoney) return named(/budget|price|cost|amount|value/) ?? null;
  if (after.some((w) => w === 'miles' || w === 'mi')) return named(/mileage|miles/) ?? null;
  if (after.some((w) => w === 'years' || w === 'year' || w === 'yrs') || (after[0] === 'old')) return named(/age|years/) ?? null;
  if (after.some((w) => ['people', 'guests', 'adults', 'persons'].includes(w)) || (after[0] === 'of' && after[1] === 'us' && (last + 3 >= tokens.length || /[,.;!?]/.test(tokens[last + 3].gap))) || before.slice(-2).join(' ') === 'party of' || before.slice(-2).join(' ') === 'table for') return named(/party|guests|size/) ?? null;
  if (after.some((w) => w.startsWith('bed'))) return named(/bed/) ?? null;
  // a bare number answers the agent's question about a number field ("How many in your party?" — "Six.")
  if (target && target.type === 'number' && target.name !== 'vehicle_year' && value < 10_000_000) return target;
  return null;
}

const DATE_KEYWORDS: { re: RegExp; words: string[] }[] = [
  { re: /birth/, words: ['born', 'birthday', 'birth', 'dob'] },
  { re: /incident/, words: ['happened', 'accident', 'incident', 'ago', 'was', 'occurred', 'injured', 'fired', 'arrested'] },
  { re: /deadline/, words: ['court', 'deadline', 'hearing', 'due', 'trial', 'by'] },
];

function dateFieldFor(dateFields: readonly ExtractionField[], target: ExtractionField | null, sentence: string, value: string, callStart: Date): ExtractionField | null {
  const lower = sentence.toLowerCase();
  const words = new Set(lower.split(/[^a-z]+/));
  for (const k of DATE_KEYWORDS) {
    const field = dateFields.find((f) => k.re.test(f.name));
    if (field && k.words.some((w) => words.has(w))) return field;
  }
  if (target && (target.type === 'date' || target.type === 'datetime')) return target;
  // a future date nobody asked about is when the caller wants to come
  const future = value.slice(0, 10) >= callStart.toISOString().slice(0, 10);
  const preferred = dateFields.find((f) => f.type === 'datetime');
  if (future && preferred) return preferred;
  return null;
}

const SELF_PENDING: ExtractionField = { name: '\u0000self', type: 'string', description: '', required: false };

function nameFieldFor(m: NameMention, names: ReturnType<typeof nameFields>, target: ExtractionField | null, before: string): ExtractionField | null {
  if (m.role === 'pet') return names.pet ?? names.other;
  if (m.role === 'other') return names.other ?? (names.pet ? null : names.self);
  const twoPeople = names.other !== null && names.self !== null;
  if (target && PERSON_NAME_FIELD.test(target.name) && target.name !== 'pet_name') {
    // with two person fields, "your name" is ambiguous until we know whether the call is about someone else
    if (twoPeople && !/patient/i.test(before)) return SELF_PENDING;
    return target;
  }
  return twoPeople ? SELF_PENDING : names.self;
}

function sameValue(a: Candidate['value'], b: Candidate['value']): boolean {
  return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * One value per field from its mentions: a correction or a spelling beats what came before; a
 * value said again gains a little; a value contradicted without correction loses a lot.
 */
function resolve(field: ExtractionField, list: Candidate[]): ExtractedField {
  if (list.length === 0) return { name: field.name, value: null, confidence: 0, evidence: [] };
  const sorted = [...list].sort((a, b) => a.turn - b.turn || a.at - b.at);
  // drop mentions the same words produced twice
  const unique = sorted.filter((c, i) => sorted.findIndex((d) => d.turn === c.turn && d.at === c.at && sameValue(d.value, c.value)) === i);

  let winner: Candidate;
  let conflict = false;
  const mergedEvidence: ExtractionEvidence[] = [];
  let listed = false;
  if (field.type === 'enum') {
    // enums: the value named most strongly wins; ties go to the earliest (the caller's main concern)
    const scores = new Map<string, { score: number; first: Candidate }>();
    for (const c of unique) {
      const key = String(c.value);
      const s = scores.get(key);
      if (s) s.score += 0.1;
      else scores.set(key, { score: c.confidence, first: c });
      if (s && c.confidence > s.first.confidence) s.score += c.confidence - s.first.confidence;
    }
    const ranked = [...scores.values()].sort((a, b) => b.score - a.score || a.first.turn - b.first.turn || a.first.at - b.first.at);
    winner = ranked[0].first;
    const runnerUp = ranked[1];
    if (runnerUp && runnerUp.score >= ranked[0].score - 0.02) {
      // two values in one breath ("highlights and a trim") is a list led by the first; across turns it is a real conflict
      if (runnerUp.first.turn === winner.turn) listed = true;
      else conflict = true;
    }
  } else {
    winner = unique[0];
    for (const c of unique.slice(1)) {
      if (sameValue(c.value, winner.value)) {
        if (c.confirmed && !winner.confirmed) winner = c;
        continue;
      }
      if (c.confirmed && !winner.confirmed && typeof c.value === 'string' && typeof winner.value === 'string' && !c.value.includes(' ') && winner.value.includes(' ')) {
        // a surname spelled on its own ("R-U-I-Z") confirms or corrects the last word of the name given before
        const words = winner.value.split(' ');
        if (words[words.length - 1].toLowerCase() !== c.value.toLowerCase()) words[words.length - 1] = c.value;
        const merged = words.join(' ');
        if (merged !== winner.value) {
          const earlier = winner;
          winner = { ...c, value: merged };
          mergedEvidence.push(earlier.evidence);
        } else winner = { ...winner, confirmed: true, confidence: Math.max(winner.confidence, c.confidence) };
        mergedEvidence.push(c.evidence);
        conflict = false;
        continue;
      }
      const sameFirstWord = typeof c.value === 'string' && typeof winner.value === 'string' && c.value.split(' ')[0].toLowerCase() === winner.value.split(' ')[0].toLowerCase();
      if (c.correction || (c.confirmed && !winner.confirmed && sameFirstWord)) {
        winner = c;
        conflict = false;
      } else if (winner.correction || (winner.confirmed && !c.confirmed && sameFirstWord)) {
        continue;
      } else {
        conflict = true;
        if (c.confidence >= winner.confidence) winner = c;
      }
    }
  }
  const supporting = unique.filter((c) => sameValue(c.value, winner.value));
  const repeats = supporting.length - 1;
  let confidence = winner.confidence + (repeats > 0 ? 0.04 : 0);
  if (conflict) confidence -= CONFLICT_PENALTY;
  if (listed) confidence -= LISTED_PENALTY;
  const evidence = [...mergedEvidence, ...supporting.map((c) => c.evidence)].sort((a, b) => a.turn - b.turn).filter((e, i, all) => all.findIndex((x) => x.turn === e.turn && x.quote === e.quote) === i);
  return { name: field.name, value: winner.value, confidence: clamp(confidence), evidence };
}
