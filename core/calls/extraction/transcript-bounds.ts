import type { TranscriptTurn } from '../call-types';

/**
 * Transcripts come from callers and platforms, so their size is not ours to trust. Every
 * extraction step runs on bounded input: a turn longer than any spoken turn is cut, and a
 * transcript longer than any real call keeps its first turns (where names and numbers are given).
 */
export const MAX_TURN_CHARS = 4_000;
export const MAX_TURNS = 2_000;
/** An hour of fast talk is about 60,000 characters; past this budget the remaining turns are left empty. */
export const MAX_TRANSCRIPT_CHARS = 200_000;

/** Indexes are kept (turn i stays turn i, possibly shortened or emptied), so evidence cites the stored transcript. */
export function boundTurns(turns: readonly TranscriptTurn[]): TranscriptTurn[] {
  let budget = MAX_TRANSCRIPT_CHARS;
  return turns.slice(0, MAX_TURNS).map((t) => {
    const text = typeof t.text === 'string' ? t.text.slice(0, Math.min(MAX_TURN_CHARS, budget)) : '';
    budget -= text.length;
    return { role: t.role === 'agent' ? 'agent' : 'caller', text, start_seconds: t.start_seconds ?? null, end_seconds: t.end_seconds ?? null };
  });
}
