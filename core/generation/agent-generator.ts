import type { ResearchReport } from '../research/research-report';
import type { Template } from '../templates/template';

export interface GenerationInput {
  template: Template;
  report: ResearchReport;
  agent: { name: string; language: string; voice?: string };
}

export interface GeneratedDocument {
  /** A knowledge_base_sections key of the template, or `page:<path>` for a crawled page's text. */
  key: string;
  title: string;
  content: string;
  /** The crawled page a `page:` reference document is the text of. */
  source_url?: string;
}

export interface GeneratedAgentConfig {
  system_prompt: string;
  first_message: string;
  knowledge_base: GeneratedDocument[];
  generator: 'deterministic' | 'llm';
  model?: string;
}

/** Writes the agent's system prompt and knowledge base from a template and the research. */
export interface AgentGenerator {
  readonly kind: 'deterministic' | 'llm';
  /** `signal` aborts the work (an LLM call) when the operation is canceled. */
  generate(input: GenerationInput, options?: { signal?: AbortSignal }): Promise<GeneratedAgentConfig>;
}
