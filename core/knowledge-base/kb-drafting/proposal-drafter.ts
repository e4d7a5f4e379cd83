import type { KbEvidence } from '../knowledge-base-model';
import { draftAnswer, keywords } from '../unanswered-questions';

/** Unanswered questions grouped across calls (unanswered-questions.ts); `title` is the first one, verbatim. */
export interface DraftGroup {
  id: string;
  title: string;
  questions: KbEvidence[];
}

export interface DraftInput {
  groups: DraftGroup[];
  /** The research report's texts (facts, FAQ answers, page text): the only source an answer may come from. */
  site: string[];
  transcripts: ReadonlyMap<string, readonly { role: 'agent' | 'caller'; text: string }[]>;
}

export interface DraftedAnswer {
  group_id: string;
  /** Null: the site does not answer it, and the business must. */
  answer: string | null;
  /** The site's sentences the answer rests on, verbatim. */
  support: string[];
  /** Caller quotes, verbatim from the transcripts. */
  evidence: KbEvidence[];
}

export interface DraftResult {
  /** `deterministic`, or `llm:<model>`. */
  drafted_by: string;
  answers: DraftedAnswer[];
}

/** Drafts the answers of proposed FAQ entries. Swapped through the composition root (`kbDrafter`). */
export interface ProposalDrafter {
  draft(input: DraftInput, signal?: AbortSignal): Promise<DraftResult>;
}

/** Offline: the site sentence sharing most of the group's keywords, quoted as it stands. */
export class DeterministicProposalDrafter implements ProposalDrafter {
  async draft(input: DraftInput): Promise<DraftResult> {
    return {
      drafted_by: 'deterministic',
      answers: input.groups.map((g) => {
        const answer = draftAnswer(keywords(g.questions.map((q) => q.quote).join(' ')), input.site);
        return { group_id: g.id, answer, support: answer ? [answer] : [], evidence: g.questions };
      }),
    };
  }
}
