import type { Logger } from 'pino';
import { LlmProposalDrafter } from './llm-proposal-drafter';
import { DeterministicProposalDrafter, ProposalDrafter } from './proposal-drafter';

/**
 * The LLM drafter only when both endpoint and key are configured (the same LLM_* settings as
 * generation and extraction); otherwise the deterministic one, so proposals work offline.
 */
export function createProposalDrafter(settings: { baseUrl?: string; apiKey?: string; model?: string }, logger?: Logger): ProposalDrafter {
  const baseUrl = settings.baseUrl?.trim();
  const apiKey = settings.apiKey?.trim();
  if (baseUrl && apiKey) return new LlmProposalDrafter({ baseUrl, apiKey, model: settings.model, logger });
  return new DeterministicProposalDrafter();
}
