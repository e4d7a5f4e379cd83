/**
 * Words of a turn with their offsets in the original text, so that every value can cite the
 * caller's exact words. A single pass over the characters: no regular expression sees the text.
 */
export interface Token {
  /** As written. */
  text: string;
  /** Lower case without apostrophes, for matching ("Isn't" → "isnt"). */
  norm: string;
  start: number;
  end: number;
  /** The characters between the previous token and this one (spaces, commas, hyphens, "$"). */
  gap: string;
}

function isWordChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || c === "'" || c === '\u2019' || code >= 0xc0;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let gapStart = 0;
  while (i < text.length) {
    if (!isWordChar(text[i])) {
      i += 1;
      continue;
    }
    const start = i;
    while (i < text.length) {
      if (isWordChar(text[i])) i += 1;
      // "1,200" and "4.5" are one number, but "5, 6" is two
      else if ((text[i] === ',' || text[i] === '.') && isDigit(text[i - 1]) && isDigit(text[i + 1])) i += 1;
      else break;
    }
    const raw = text.slice(start, i);
    const norm = raw.toLowerCase().split("'").join('').split('\u2019').join('');
    tokens.push({ text: raw, norm, start, end: i, gap: text.slice(gapStart, start) });
    gapStart = i;
  }
  return tokens;
}

export function isCapitalized(token: Token): boolean {
  const c = token.text[0];
  return c !== undefined && c !== c.toLowerCase() && c === c.toUpperCase();
}

export function isNumeric(token: Token): boolean {
  return token.norm.length > 0 && isDigit(token.norm[0]);
}

/** "not", "no", "never" or an "n't" word within the `window` tokens before `index`. */
export function negatedBefore(tokens: readonly Token[], index: number, window = 3): boolean {
  for (let k = Math.max(0, index - window); k < index; k++) {
    const n = tokens[k].norm;
    if (n === 'not' || n === 'no' || n === 'never' || n === 'nothing' || n === 'without' || (n.endsWith('nt') && NT_WORDS.has(n))) return true;
    // a sentence break ends the reach of a negation
    if (/[.?!;]/.test(tokens[k + 1]?.gap ?? '')) return false;
  }
  return false;
}

const NT_WORDS = new Set(['isnt', 'dont', 'doesnt', 'didnt', 'wasnt', 'arent', 'werent', 'cant', 'cannot', 'wont', 'havent', 'hasnt', 'hadnt', 'couldnt', 'shouldnt', 'wouldnt', 'aint']);

/** A phrase as matched against tokens: words lower case without apostrophes; a trailing "*" matches a prefix. */
export type Phrase = string[];

export function phrase(words: string): Phrase {
  return words.toLowerCase().split("'").join('').split(/\s+/).filter((w) => w.length > 0);
}

function wordMatches(pattern: string, norm: string): boolean {
  if (pattern.endsWith('*')) return norm.startsWith(pattern.slice(0, -1));
  return pattern === norm;
}

/** Token indexes where `p` starts. O(tokens × phrase length). */
export function findPhrase(tokens: readonly Token[], p: Phrase, from = 0): number[] {
  const hits: number[] = [];
  if (p.length === 0) return hits;
  for (let i = from; i + p.length <= tokens.length; i++) {
    let ok = true;
    for (let k = 0; k < p.length; k++) {
      if (!wordMatches(p[k], tokens[i + k].norm)) {
        ok = false;
        break;
      }
    }
    if (ok) hits.push(i);
  }
  return hits;
}

export function hasPhrase(tokens: readonly Token[], p: Phrase): boolean {
  return findPhrase(tokens, p).length > 0;
}

/** The sentence of `text` around [start, end): from after the previous ".?!" to the next one. */
export function sentenceAround(text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  while (s > 0 && !isSentenceEnd(text, s - 1)) s -= 1;
  let e = end;
  while (e < text.length && !isSentenceEnd(text, e)) e += 1;
  return { start: s, end: Math.min(text.length, e + 1) };
}

function isSentenceEnd(text: string, i: number): boolean {
  const c = text[i];
  if (c === '?' || c === '!') return true;
  // a period ends a sentence only before a space: "john.smith" and "4.5" do not
  return c === '.' && (i + 1 >= text.length || text[i + 1] === ' ');
}
