import { isCapitalized, type Token, tokenize } from './transcript-tokens';

/**
 * People's (and pets') names as introduced on the phone: "this is Dana Ruiz", "my name's Tom",
 * "it's John Smith", "Smith, S-M-I-T-H", "the reservation is under Patel", "my son Eli", "her name
 * is Bella". Who the name belongs to matters as much as the name: `self` is the caller, `other`
 * a person the call is about, `pet` an animal.
 */
export type NameRole = 'self' | 'other' | 'pet';

export interface NameMention {
  name: string;
  role: NameRole;
  /** Offsets in the turn's text. */
  start: number;
  end: number;
  /** Spelled out letter by letter, which is as certain as a name gets. */
  spelled: boolean;
}

const NOT_NAMES = new Set([
  'i', 'im', 'calling', 'here', 'just', 'not', 'sure', 'so', 'um', 'uh', 'yes', 'yeah', 'no', 'the', 'a', 'and', 'but', 'with', 'from', 'for', 'about', 'looking',
  'trying', 'wondering', 'hoping', 'going', 'actually', 'sorry', 'okay', 'ok', 'well', 'hi', 'hello', 'hey', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday',
  'saturday', 'sunday', 'today', 'tomorrow', 'good', 'fine', 'great', 'correct', 'right', 'that', 'this', 'it', 'its', 'is', 'my', 'our', 'we', 'you', 'a', 'an',
  'to', 'in', 'on', 'at', 'of', 'or', 'new', 'patient', 'calling', 'call', 'please', 'thanks', 'thank', 'mister', 'mr', 'mrs', 'ms', 'miss', 'doctor', 'dr', 'he',
  'she', 'they', 'his', 'her', 'their', 'was', 'be', 'have', 'had', 'has', 'do', 'dont', 'need', 'want', 'would', 'like', 'can', 'could', 'also', 'then', 'spelled',
  'spell', 'last', 'first', 'name', 'names', 'booked', 'having', 'still', 'really', 'very', 'pretty', 'kind', 'one', 'two', 'three', 'again', 'maybe', 'probably',
  'think', 'guess', 'believe', 'afraid', 'worried', 'glad', 'happy', 'sick', 'hurt', 'all', 'out', 'up', 'over', 'home', 'done', 'ready', 'available', 'free',
  'busy', 'away', 'back', 'there', 'what', 'when', 'how', 'why', 'who', 'where', 'dog', 'cat', 'puppy', 'kitten', 'boy', 'girl', 'son', 'daughter', 'wife', 'husband',
  'calling', 'emergency', 'urgent', 'phone', 'number', 'email', 'address', 'reservation', 'appointment', 'under', 'party', 'table', 'for',
]);

const RELATIVES = new Set(['son', 'daughter', 'wife', 'husband', 'mother', 'mom', 'father', 'dad', 'kid', 'child', 'boy', 'girl', 'grandson', 'granddaughter', 'partner', 'brother', 'sister', 'grandmother', 'grandfather', 'mum']);
const PETS = new Set(['dog', 'cat', 'puppy', 'kitten', 'rabbit', 'bunny', 'bird', 'parrot', 'horse', 'pup', 'lab', 'retriever', 'terrier', 'hamster', 'guinea']);

function titleCase(word: string): string {
  return word
    .split('-')
    .map((p) => (p ? p[0].toUpperCase() + p.slice(1).toLowerCase() : p))
    .join('-');
}

function nameWord(t: Token | undefined, lenient: boolean): boolean {
  if (!t || NOT_NAMES.has(t.norm) || /[0-9]/.test(t.norm) || t.norm.length < 2) return false;
  return lenient || isCapitalized(t);
}

/** Up to three name words starting at `i`; stops at a comma or sentence end. */
function nameAt(tokens: readonly Token[], i: number, lenient: boolean, maxWords = 3): { words: Token[]; next: number } | null {
  const words: Token[] = [];
  let k = i;
  while (k < tokens.length && words.length < maxWords && nameWord(tokens[k], lenient)) {
    if (words.length > 0 && /[,.;?!]/.test(tokens[k].gap)) break;
    words.push(tokens[k]);
    k += 1;
  }
  return words.length > 0 ? { words, next: k } : null;
}

/** Letters said one by one ("S-M-I-T-H", "s m i t h"; "S as in Sam…" is not handled) starting at `i`. */
function spelledAt(tokens: readonly Token[], i: number): { word: string; last: number } | null {
  let letters = '';
  let k = i;
  while (k < tokens.length && tokens[k].norm.length === 1 && /[a-z]/.test(tokens[k].norm) && (k === i || !/[,.;?!]/.test(tokens[k].gap))) {
    letters += tokens[k].norm;
    k += 1;
  }
  return letters.length >= 3 ? { word: letters, last: k - 1 } : null;
}

interface Trigger {
  words: string[];
  role: NameRole;
}

const TRIGGERS: Trigger[] = [
  { words: ['my', 'name', 'is'], role: 'self' },
  { words: ['my', 'names'], role: 'self' },
  { words: ['name', 'is'], role: 'self' },
  { words: ['names'], role: 'self' },
  { words: ['this', 'is'], role: 'self' },
  { words: ['im'], role: 'self' },
  { words: ['i', 'am'], role: 'self' },
  { words: ['under', 'the', 'name'], role: 'self' },
  { words: ['under'], role: 'self' },
  { words: ['his', 'name', 'is'], role: 'other' },
  { words: ['her', 'name', 'is'], role: 'other' },
  { words: ['his', 'names'], role: 'other' },
  { words: ['her', 'names'], role: 'other' },
  { words: ['their', 'name', 'is'], role: 'other' },
  { words: ['patients', 'name', 'is'], role: 'other' },
  { words: ['its', 'for'], role: 'other' },
  { words: ['for', 'my'], role: 'other' },
  { words: ['called'], role: 'pet' },
  { words: ['named'], role: 'other' },
  // "Hi, it's John Smith": only where a name is expected (see INTRODUCTION_ONLY)
  { words: ['its'], role: 'self' },
];

/** Triggers that also start ordinary answers ("it's Delta Dental"), trusted only in a greeting or after a name question. */
const INTRODUCTION_ONLY = new Set(['its']);

/**
 * Names in one caller turn. `expectingName` is set when the agent has just asked for a name: then
 * a bare answer ("John Smith.", "yeah it's john smith") is a name too, even in lower case.
 */
export function nameMentions(text: string, expectingName: boolean, petContext: boolean, bareAnswerRole: NameRole = 'self', greeting = false): NameMention[] {
  const tokens = tokenize(text);
  const found: NameMention[] = [];
  const push = (words: Token[], role: NameRole, spelled = false): void => {
    const name = words.map((w) => titleCase(w.text.replace(/[’']s$/i, ''))).join(' ');
    found.push({ name, role, start: words[0].start, end: words[words.length - 1].end, spelled });
  };

  for (let i = 0; i < tokens.length; i++) {
    for (const trigger of TRIGGERS) {
      let ok = true;
      for (let k = 0; k < trigger.words.length; k++) if (tokens[i + k]?.norm !== trigger.words[k]) ok = false;
      if (!ok) continue;
      if (INTRODUCTION_ONLY.has(trigger.words[0]) && !(expectingName || (greeting && i <= 3))) continue;
      let at = i + trigger.words.length;
      let role = trigger.role;
      if (trigger.words[0] === 'for' || trigger.words[1] === 'for') {
        // "for my son Eli", "for my dog Max": the relation word comes first
        if (trigger.words[0] === 'its' && tokens[at]?.norm === 'my') at += 1;
        const relation = tokens[at]?.norm ?? '';
        if (RELATIVES.has(relation)) at += 1;
        else if (PETS.has(relation)) {
          role = 'pet';
          at += 1;
        } else if (trigger.words[0] === 'for') continue;
      }
      if ((trigger.words[0] === 'his' || trigger.words[0] === 'her' || trigger.words[0] === 'their') && petContext) role = 'pet';
      if (trigger.words[0] === 'called' || trigger.words[0] === 'named') role = petContext ? 'pet' : 'other';
      // "this is" / "I'm" only introduce a name when one follows directly and in capitals
      const lenient = expectingName && !['this', 'im', 'i', 'under', 'its'].includes(trigger.words[0]);
      const name = nameAt(tokens, at, lenient, role === 'pet' ? 1 : 3);
      if (name) {
        push(name.words, role);
        i = name.next - 1;
        break;
      }
    }
  }

  // "my son Eli", "our dog Max": relation then a capitalised name
  for (let i = 0; i + 2 < tokens.length; i++) {
    if (tokens[i].norm !== 'my' && tokens[i].norm !== 'our') continue;
    const relation = tokens[i + 1].norm;
    const role: NameRole | null = RELATIVES.has(relation) ? 'other' : PETS.has(relation) ? 'pet' : null;
    if (!role || found.some((f) => f.start === tokens[i + 2].start)) continue;
    const name = nameAt(tokens, i + 2, false, role === 'pet' ? 1 : 3);
    if (name) push(name.words, role);
  }

  // A bare answer to "what's your name?": "John Smith." / "yeah, it's John Smith"
  if (found.length === 0 && expectingName) {
    let i = 0;
    while (i < tokens.length && ['yes', 'yeah', 'sure', 'yep', 'its', 'it', 'is', 'uh', 'um', 'oh', 'ok', 'okay', 'thats', 'name', 'the', 'first', 'last', 'so'].includes(tokens[i].norm)) i += 1;
    const name = nameAt(tokens, i, true, 3);
    // the name must be the answer itself, not the start of a sentence: it ends the turn or a clause
    const endsClause = name && (name.next >= tokens.length || /[,.;!?]/.test(tokens[name.next].gap) || name.next >= tokens.length - 2);
    if (name && i <= 3 && endsClause) push(name.words, bareAnswerRole);
  }

  // Spelled letters confirm or correct the name just given, or are the surname on their own.
  for (let i = 0; i < tokens.length; i++) {
    const spelled = spelledAt(tokens, i);
    if (!spelled) continue;
    const word = titleCase(spelled.word);
    const previous = [...found].reverse().find((f) => f.start < tokens[i].start);
    const quoteStart = previous ? previous.start : tokens[i].start;
    const quoteEnd = tokens[spelled.last].end;
    if (previous) {
      const parts = previous.name.split(' ');
      const matchIndex = parts.findIndex((p) => p.toLowerCase() === word.toLowerCase());
      // an unmatched spelling replaces the last word: "Smith — S-M-Y-T-H" is Smyth
      if (matchIndex < 0) parts[parts.length - 1] = word;
      found.push({ name: parts.join(' '), role: previous.role, start: quoteStart, end: quoteEnd, spelled: true });
    } else if (expectingName) {
      found.push({ name: word, role: bareAnswerRole, start: tokens[i].start, end: quoteEnd, spelled: true });
    }
    i = spelled.last;
  }
  return found;
}
