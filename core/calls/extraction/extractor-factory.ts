import type { CallExtractor } from '../call-types';
import { DeterministicCallExtractor } from './deterministic-call-extractor';
import { LlmCallExtractor } from './llm-call-extractor';

export interface CallExtractorSettings {
  llmBaseUrl?: string;
  llmApiKey?: string;
  llmModel?: string;
  /** For tests: the LLM client's timeout. */
  llmTimeoutMs?: number;
}

/**
 * The LLM extractor only when both endpoint and key are configured (the same settings as agent
 * generation); otherwise the deterministic one, so calls are extracted on a fresh install too.
 */
export function createCallExtractor(settings: CallExtractorSettings = {}): CallExtractor {
  const baseUrl = settings.llmBaseUrl?.trim();
  const apiKey = settings.llmApiKey?.trim();
  if (baseUrl && apiKey) return new LlmCallExtractor({ baseUrl, apiKey, model: settings.llmModel, timeoutMs: settings.llmTimeoutMs });
  return new DeterministicCallExtractor();
}
