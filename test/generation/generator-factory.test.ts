import { DeterministicAgentGenerator } from '../../core/generation/deterministic-agent-generator';
import { createAgentGenerator } from '../../core/generation/generator-factory';
import { DEFAULT_LLM_MODEL, LlmAgentGenerator } from '../../core/generation/llm-agent-generator';

describe('createAgentGenerator', () => {
  it('is deterministic unless both an LLM endpoint and a key are configured', () => {
    expect(createAgentGenerator()).toBeInstanceOf(DeterministicAgentGenerator);
    expect(createAgentGenerator({ llmBaseUrl: 'https://api.openai.com/v1' }).kind).toBe('deterministic');
    expect(createAgentGenerator({ llmApiKey: 'sk-x' }).kind).toBe('deterministic');
    expect(createAgentGenerator({ llmBaseUrl: '  ', llmApiKey: 'sk-x' }).kind).toBe('deterministic');
  });

  it('uses the LLM generator, with the configured or default model, when both are set', () => {
    const llm = createAgentGenerator({ llmBaseUrl: 'https://api.openai.com/v1', llmApiKey: 'sk-x' });
    expect(llm).toBeInstanceOf(LlmAgentGenerator);
    expect((llm as LlmAgentGenerator).model).toBe(DEFAULT_LLM_MODEL);
    expect(DEFAULT_LLM_MODEL).toBe('gpt-4o-mini');
    const custom = createAgentGenerator({ llmBaseUrl: 'http://127.0.0.1:11434/v1', llmApiKey: 'ollama', llmModel: 'llama3.1' }) as LlmAgentGenerator;
    expect(custom.kind).toBe('llm');
    expect(custom.model).toBe('llama3.1');
  });
});
