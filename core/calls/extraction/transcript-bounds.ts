import type { TranscriptTurn } from '../call-types';

/**
 * Transcripts come from callers and platforms, so their size is not ours to trust. Every
 * extraction step runs on bounded input: a turn longer than any spoken turn is cut, and a
 * transcript longer than any real call keeps its first turns (where names and numbers are given).
 */
export const MAX_TURN_CHARS = 4_000;
export const MAX_TURNS = 2_000;

export function boundTurns(turns: readonly TranscriptTurn[]): TranscriptTurn[] {
  return turns.slice(0, MAX_TURNS).map((t) => ({
    role: t.role === 'agent' ? 'agent' : 'caller',
    text: typeof t.text === 'string' ? t.text.slice(0, MAX_TURN_CHARS) : '',
    start_seconds: t.start_seconds ?? null,
    end_seconds: t.end_seconds ?? null,
  }));
}
