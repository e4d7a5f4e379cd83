import { GenerationError } from '../../core/generation/generation-error';
import { LlmAgentGenerator } from '../../core/generation/llm-agent-generator';
import type { Template } from '../../core/templates/template';
import { getTemplate } from '../../core/templates/template-catalog';
import { dentalReport } from '../support/hand-built-reports';
import { completion, FakeOpenAiServer } from './fake-openai-server';

const API_KEY = 'sk-test-key';
const dental = getTemplate('dental_receptionist') as Template;
const input = { template: dental, report: dentalReport(), agent: { name: 'Ava', language: 'en-US' } };

const WRITTEN_PROMPT = [
  '# Role',
  'You are Ava, the receptionist for {{business_name}} in South Austin. Speak warmly and briefly.',
  '',
  '# About the practice',
  'Phone (512) 555-0142. Open Monday–Friday 8:00 AM–5:00 PM; Saturday 9:00 AM–1:00 PM; Sunday closed.',
  'Services: cleanings and exams, tooth-colored fillings, crowns and bridges, Invisalign, whitening, emergency care.',
].join('\n');

describe('LlmAgentGenerator', () => {
  const fake = new FakeOpenAiServer(API_KEY);
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  function generator(overrides: { model?: string; timeoutMs?: number; apiKey?: string } = {}): LlmAgentGenerator {
    return new LlmAgentGenerator({ baseUrl, apiKey: overrides.apiKey ?? API_KEY, model: overrides.model ?? 'test-model', maxRetries: 0, timeoutMs: overrides.timeoutMs ?? 5000 });
  }

  async function failureOf(promise: Promise<unknown>): Promise<GenerationError> {
    try {
      await promise;
    } catch (err) {
      expect(err).toBeInstanceOf(GenerationError);
      return err as GenerationError;
    }
    throw new Error('expected the generation to fail');
  }

  it('sends the template and research facts as a strict structured-output request', async () => {
    fake.reply = () => completion(JSON.stringify({ system_prompt: WRITTEN_PROMPT, first_message: 'Thank you for calling Bright Smiles Family Dentistry, this is Ava!' }));
    await generator().generate(input);

    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.body.model).toBe('test-model');
    const rf = req.body.response_format as { type: string; json_schema: { name: string; strict: boolean; schema: { required: string[]; additionalProperties: boolean } } };
    expect(rf.type).toBe('json_schema');
    expect(rf.json_schema.strict).toBe(true);
    expect(rf.json_schema.schema.required).toEqual(['system_prompt', 'first_message']);
    expect(rf.json_schema.schema.additionalProperties).toBe(false);

    const messages = req.body.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    const brief = JSON.parse(messages[1]!.content) as {
      agent: { name: string; language: string };
      template: { id: string; role: string; sections: unknown[] };
      business: { name: string; phone: string; services: string[]; opening_hours: { summary: string } };
      emergency_number: string;
    };
    expect(brief.agent).toMatchObject({ name: 'Ava', language: 'en-US' });
    expect(brief.template.id).toBe('dental_receptionist');
    expect(brief.template.role).toContain('Bright Smiles Family Dentistry');
    expect(brief.template.sections.length).toBe(dental.prompt_structure.sections.length);
    expect(brief.business.name).toBe('Bright Smiles Family Dentistry');
    expect(brief.business.phone).toBe('(512) 555-0142');
    expect(brief.business.services).toContain('Invisalign clear aligners');
    expect(brief.business.opening_hours.summary).toBe('Monday–Friday 8:00 AM–5:00 PM; Saturday 9:00 AM–1:00 PM; Sunday closed');
    expect(brief.emergency_number).toBe('911');
    expect(messages[1]!.content).not.toMatch(/<html|<div|\{\{/i);
  });

  it('returns the parsed config with deterministic knowledge base and rules appended', async () => {
    fake.reply = () => completion(JSON.stringify({ system_prompt: WRITTEN_PROMPT, first_message: 'Thank you for calling {{business_name}}, this is Ava!' }));
    const config = await generator().generate(input);

    expect(config.generator).toBe('llm');
    expect(config.model).toBe('fake-model-2025-01-01');
    expect(config.first_message).toBe('Thank you for calling Bright Smiles Family Dentistry, this is Ava!');
    expect(config.system_prompt.startsWith('# Role\nYou are Ava, the receptionist for Bright Smiles Family Dentistry in South Austin.')).toBe(true);
    expect(config.system_prompt).toContain("# What you don't know");
    expect(config.system_prompt).toContain('# Rules you must always follow');
    expect(config.system_prompt).toContain('must be told to call 911 or go to an emergency room immediately');
    expect(config.system_prompt).not.toMatch(/\{\{|\}\}/);
    expect(config.knowledge_base.map((d) => d.key)).toEqual(expect.arrayContaining(['hours', 'services', 'insurance', 'location']));
  });

  it('fails with a non-retryable GenerationError when the answer is not JSON', async () => {
    fake.reply = () => completion('Sure! Here is your prompt: You are Ava...');
    const err = await failureOf(generator().generate(input));
    expect(err.failure).toBe('invalid_output');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/not valid JSON/);
  });

  it('fails with a non-retryable GenerationError when the JSON has the wrong shape', async () => {
    fake.reply = () => completion(JSON.stringify({ system_prompt: 'too short' }));
    const err = await failureOf(generator().generate(input));
    expect(err.failure).toBe('invalid_output');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/system_prompt/);
    expect(err.message).toMatch(/first_message/);
  });

  it('rejects truncated answers, refusals and unknown placeholders', async () => {
    fake.reply = () => completion('{"system_prompt": "# Role\\nYou are', { finish_reason: 'length' });
    expect((await failureOf(generator().generate(input))).message).toMatch(/cut off/);

    fake.reply = () => completion('', { refusal: 'I cannot help with that.' });
    expect((await failureOf(generator().generate(input))).message).toMatch(/refused/);

    fake.reply = () => completion(JSON.stringify({ system_prompt: `${WRITTEN_PROMPT}\nCall {{owner_cell}} for emergencies.`, first_message: 'Hello from {{business_name}}!' }));
    const err = await failureOf(generator().generate(input));
    expect(err).toMatchObject({ failure: 'invalid_output', retryable: false });
    expect(err.message).toContain('{{owner_cell}}');
  });

  it('marks 503 as retryable', async () => {
    fake.reply = () => ({ status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } });
    const err = await failureOf(generator().generate(input));
    expect(err).toMatchObject({ failure: 'unavailable', retryable: true, status: 503 });
  });

  it('marks 429 as retryable, except an exhausted quota', async () => {
    fake.reply = () => ({ status: 429, body: { error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } } });
    expect(await failureOf(generator().generate(input))).toMatchObject({ failure: 'rate_limited', retryable: true, status: 429 });

    fake.reply = () => ({ status: 429, body: { error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' } } });
    expect(await failureOf(generator().generate(input))).toMatchObject({ failure: 'quota_exceeded', retryable: false });
  });

  it('marks other 4xx as not retryable', async () => {
    const wrongKey = await failureOf(generator({ apiKey: 'sk-wrong' }).generate(input));
    expect(wrongKey).toMatchObject({ failure: 'unauthorized', retryable: false, status: 401 });

    fake.reply = () => ({ status: 404, body: { error: { message: 'The model `nope` does not exist', type: 'invalid_request_error', code: 'model_not_found' } } });
    expect(await failureOf(generator({ model: 'nope' }).generate(input))).toMatchObject({ failure: 'invalid_request', retryable: false, status: 404 });
  });

  it('marks a timeout as retryable', async () => {
    fake.reply = () => 'hang';
    const err = await failureOf(generator({ timeoutMs: 300 }).generate(input));
    expect(err.retryable).toBe(true);
    // Plain Node reports APIConnectionTimeoutError ('timeout'). Under jest the AbortError comes from
    // another realm, the client cannot recognise it and reports a connection error ('unavailable').
    expect(['timeout', 'unavailable']).toContain(err.failure);
  });

  it('marks an unreachable endpoint as retryable', async () => {
    const offline = new LlmAgentGenerator({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: API_KEY, maxRetries: 0, timeoutMs: 2000 });
    expect(await failureOf(offline.generate(input))).toMatchObject({ failure: 'unavailable', retryable: true });
  });
});
