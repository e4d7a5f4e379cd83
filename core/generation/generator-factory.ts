import type { AgentGenerator } from './agent-generator';
import { DeterministicAgentGenerator } from './deterministic-agent-generator';
import { LlmAgentGenerator } from './llm-agent-generator';

export interface AgentGeneratorSettings {
  llmBaseUrl?: string;
  llmApiKey?: string;
  llmModel?: string;
}

/**
 * The LLM generator only when both endpoint and key are configured; otherwise the deterministic
 * one, so a fresh install with no LLM account still creates working agents.
 */
export function createAgentGenerator(settings: AgentGeneratorSettings = {}): AgentGenerator {
  const baseUrl = settings.llmBaseUrl?.trim();
  const apiKey = settings.llmApiKey?.trim();
  if (baseUrl && apiKey) return new LlmAgentGenerator({ baseUrl, apiKey, model: settings.llmModel });
  return new DeterministicAgentGenerator();
}
