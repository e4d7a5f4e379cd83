import type { ExtractionEvidence, TranscriptTurn } from '../call-types';

/**
 * Finds a model's quote in the caller turn it cites, ignoring case and runs of whitespace, and
 * returns the turn's own words for it: the stored quote is then always verbatim. A quote that is
 * not there — paraphrased, invented, or from an agent turn — is null.
 */
function normalizedWithMap(text: string): { norm: string; map: number[] } {
  let norm = '';
  const map: number[] = [];
  let space = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\u00a0') {
      if (!space) {
        norm += ' ';
        map.push(i);
        space = true;
      }
      continue;
    }
    const lower = c.toLowerCase();
    // keep offsets one-to-one: a character whose lower case is longer is kept as it is
    norm += lower.length === 1 ? lower : c;
    map.push(i);
    space = false;
  }
  return { norm, map };
}

export function locateQuote(turns: readonly TranscriptTurn[], evidence: { turn: number; quote: string }): ExtractionEvidence | null {
  if (!Number.isInteger(evidence.turn) || evidence.turn < 0 || evidence.turn >= turns.length) return null;
  const turn = turns[evidence.turn];
  if (turn.role !== 'caller') return null;
  const quote = normalizedWithMap(evidence.quote.slice(0, 2_000)).norm.trim();
  if (quote.length === 0) return null;
  const { norm, map } = normalizedWithMap(turn.text);
  const at = norm.indexOf(quote);
  if (at < 0) return null;
  const start = map[at];
  const end = map[at + quote.length - 1] + 1;
  return { turn: evidence.turn, quote: turn.text.slice(start, end) };
}
