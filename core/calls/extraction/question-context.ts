import type { ExtractionField } from '../../templates/template';
import { tokenize, type Token } from './transcript-tokens';

/**
 * Which field the agent's question is about: the caller's next words usually answer it
 * ("What's the best number to reach you?" → callback_number). Scored by overlap of the
 * question's words with the field's name, description, and cue words of its type, so custom
 * templates are understood too; the field name counts most.
 */
export interface QuestionTarget {
  field: ExtractionField;
  /** A yes/no question ("Does anyone…?", "Are you…?"). */
  yesNo: boolean;
  /** "yes" means false: "Have you been to us before?" for a field that is true when the patient is new. */
  inverted: boolean;
}

const STOP = new Set([
  'the', 'a', 'an', 'and', 'or', 'of', 'to', 'for', 'in', 'on', 'at', 'is', 'are', 'was', 'be', 'it', 'its', 'this', 'that', 'with', 'if', 'any', 'by', 'as',
  'you', 'your', 'can', 'could', 'would', 'i', 'we', 'me', 'my', 'do', 'does', 'did', 'have', 'has', 'what', 'whats', 'which', 'please', 'get', 'so', 'okay', 'ok',
  'great', 'thanks', 'thank', 'just', 'also', 'may', 'like', 'from', 'given', 'when', 'where', 'who', 'how', 'type', 'kind', 'main', 'whether', 'not', 'there',
  'example', 'other', 'them', 'they', 'their', 'caller', 'customer', 'call', 'their', 'been', 'will', 'all',
]);

const TYPE_CUES: Record<ExtractionField['type'], string[]> = {
  phone: ['number', 'phone', 'reach', 'callback', 'cell', 'mobile', 'contact'],
  email: ['email', 'mail'],
  date: ['date', 'day', 'when', 'born', 'birth', 'birthday'],
  datetime: ['when', 'time', 'day', 'date', 'works', 'suit', 'come', 'prefer', 'available', 'schedule', 'book'],
  number: ['many', 'much', 'old', 'year', 'years', 'number'],
  boolean: [],
  enum: [],
  string: [],
};

/** Cue words for common field names that their descriptions do not spell out. */
const NAME_CUES: Record<string, string[]> = {
  address: ['address', 'where', 'located', 'street', 'location'],
  name: ['name', 'spell'],
  party: ['people', 'guests', 'party', 'many'],
  budget: ['budget', 'range', 'spend', 'afford', 'price'],
  make: ['make', 'car', 'vehicle', 'drive', 'driving'],
  mileage: ['miles', 'mileage', 'odometer'],
  insurance: ['insurance', 'carrier', 'coverage', 'insured'],
  pharmacy: ['pharmacy'],
  staff: ['stylist', 'technician', 'particular', 'prefer', 'someone', 'anyone'],
  referral: ['hear', 'heard', 'find', 'found', 'referred'],
  description: ['help', 'going', 'happening', 'problem', 'issue', 'describe', 'tell', 'brings', 'wrong'],
  symptoms: ['symptoms', 'going', 'happening', 'wrong', 'describe', 'tell', 'acting'],
  reason: ['help', 'reason', 'brings', 'need', 'calling'],
  summary: ['help', 'happened', 'tell', 'matter', 'describe', 'situation'],
  services: ['service', 'services', 'looking', 'done', 'help', 'book'],
  dietary: ['allergies', 'allergy', 'dietary', 'diet'],
  seating: ['seating', 'seat', 'patio', 'booth', 'table'],
  access: ['access', 'gate', 'code', 'pets', 'get'],
  owner: ['own', 'owner', 'rent', 'renting', 'homeowner'],
  occupants: ['anyone', 'elderly', 'young', 'health', 'baby', 'unwell', 'vulnerable'],
  shut: ['shut', 'turned', 'off', 'valve'],
  preapproved: ['approved', 'preapproved', 'financing', 'mortgage', 'cash'],
  attorney: ['attorney', 'lawyer', 'represented'],
  agent: ['agent', 'realtor', 'working'],
  age: ['old', 'age', 'years'],
  areas: ['area', 'areas', 'neighborhood', 'neighbourhood', 'looking'],
  jurisdiction: ['county', 'city', 'state', 'where'],
  adverse: ['other', 'party', 'involved', 'against', 'names'],
  breed: ['breed'],
  species: ['kind', 'animal', 'dog', 'cat'],
  medication: ['medication', 'prescription', 'refill', 'dose'],
  provider: ['doctor', 'provider', 'see', 'usually'],
  year: ['year'],
  model: ['model'],
};

const YES_NO_STARTS = new Set(['do', 'does', 'did', 'is', 'are', 'was', 'were', 'have', 'has', 'had', 'can', 'could', 'will', 'would', 'should', 'am', 'any', 'anyone']);

function stem(word: string): string {
  return word.length > 5 ? word.slice(0, 5) : word;
}

function words(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 1 && !STOP.has(w));
}

function fieldKeywords(field: ExtractionField): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (w: string, weight: number): void => {
    const s = stem(w);
    weights.set(s, Math.max(weights.get(s) ?? 0, weight));
  };
  for (const w of words(field.description)) add(w, 1);
  for (const w of TYPE_CUES[field.type]) add(w, 2);
  for (const part of field.name.split('_')) {
    if (!STOP.has(part) && part.length > 1) add(part, 3);
    for (const cue of NAME_CUES[part] ?? []) add(cue, 2.5);
  }
  return weights;
}

/** The question in an agent turn: its last sentence ending in "?", else its last sentence. */
function questionOf(text: string): { sentence: string; isQuestion: boolean } {
  const q = text.lastIndexOf('?');
  if (q < 0) {
    const trimmed = text.trim();
    const lastStop = Math.max(trimmed.lastIndexOf('. ', trimmed.length - 2), trimmed.lastIndexOf('! '));
    return { sentence: trimmed.slice(lastStop + 1), isQuestion: false };
  }
  let s = q - 1;
  while (s >= 0 && text[s] !== '?' && text[s] !== '!' && !(text[s] === '.' && text[s + 1] === ' ')) s -= 1;
  return { sentence: text.slice(s + 1, q + 1), isQuestion: true };
}

export function questionTarget(agentText: string, fields: readonly ExtractionField[]): QuestionTarget | null {
  const { sentence, isQuestion } = questionOf(agentText);
  const tokens: Token[] = tokenize(sentence);
  if (tokens.length === 0) return null;
  const asked = new Set(tokens.map((t) => stem(t.norm)).filter((w) => w.length > 1 && !STOP.has(w)));
  // skip a lead-in ("Okay, and does…", "Great. Is…")
  const lead = tokens.findIndex((t) => !['ok', 'okay', 'and', 'great', 'so', 'alright', 'thanks', 'perfect', 'got', 'it', 'now', 'also', 'just', 'lastly', 'finally'].includes(t.norm));
  // "Can I get your name?" / "Could I have…" asks for a value, not a yes or no
  const requestForValue = lead >= 0 && ['can', 'could', 'may'].includes(tokens[lead].norm) && tokens[lead + 1]?.norm === 'i' && ['get', 'have', 'take', 'grab'].includes(tokens[lead + 2]?.norm ?? '');
  const yesNo = isQuestion && lead >= 0 && YES_NO_STARTS.has(tokens[lead].norm) && !requestForValue;
  let best: { field: ExtractionField; score: number } | null = null;
  for (const field of fields) {
    let score = 0;
    let byName = false;
    for (const [w, weight] of fieldKeywords(field)) {
      if (!asked.has(w)) continue;
      score += weight;
      if (weight >= 3) byName = true;
    }
    if (field.type === 'boolean') score += yesNo ? 1.5 : -3;
    // "Do you have insurance?" asks for the insurer: a yes/no shape counts against a value field only when its name is not asked
    else if (yesNo && field.type !== 'enum' && !byName) score -= 1;
    if (!best || score > best.score) best = { field, score };
  }
  if (!best || best.score < 2.5) return null;
  const field = best.field;
  const description = `${field.name} ${field.description}`.toLowerCase();
  const askedWords = tokens.map((t) => t.norm);
  const fieldMeansNew = /\bnever\b|\bnew\b|first/.test(description);
  const questionMeansNew = askedWords.some((w) => w === 'new' || w === 'first' || w === 'never');
  const inverted = field.type === 'boolean' && fieldMeansNew && !questionMeansNew && askedWords.includes('before');
  return { field, yesNo: yesNo && field.type === 'boolean', inverted };
}
