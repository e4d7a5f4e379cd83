import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export type FakeReply = { status: number; body: unknown } | 'hang';

/**
 * A stand-in for an OpenAI-compatible endpoint on 127.0.0.1 (random port). It implements only
 * POST /v1/chat/completions, refuses requests a real endpoint would refuse (no Bearer key, no
 * model or messages, no strict json_schema response format), and otherwise answers with
 * whatever the test scripted.
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  reply: (req: RecordedRequest) => FakeReply = () => ({ status: 500, body: { error: { message: 'no reply scripted' } } });
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  constructor(private readonly apiKey: string) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string): void => send(status, { error: { message, type: 'invalid_request_error', code: null } });

    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return fail(404, `no route ${req.method} ${req.url}`);
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return fail(401, 'missing or wrong Bearer key');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return fail(400, 'body is not JSON');
    }
    const rf = body.response_format as { type?: string; json_schema?: { name?: string; strict?: boolean; schema?: unknown } } | undefined;
    if (typeof body.model !== 'string' || body.model === '') return fail(400, 'model is required');
    if (!Array.isArray(body.messages) || body.messages.length === 0) return fail(400, 'messages are required');
    if (rf?.type !== 'json_schema' || !rf.json_schema?.name || rf.json_schema.strict !== true || typeof rf.json_schema.schema !== 'object') {
      return fail(400, 'response_format must be a strict json_schema');
    }

    const recorded: RecordedRequest = { method: req.method, url: req.url, headers: req.headers, body };
    this.requests.push(recorded);
    const reply = this.reply(recorded);
    if (reply === 'hang') return; // never answer: the client's timeout must fire
    send(reply.status, reply.body);
  }
}

/** A chat completion whose message content is `content`, as an OpenAI endpoint returns it. */
export function completion(content: string, extra: { model?: string; finish_reason?: string; refusal?: string | null } = {}): { status: number; body: unknown } {
  return {
    status: 200,
    body: {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1_736_935_200,
      model: extra.model ?? 'fake-model-2025-01-01',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: extra.refusal ?? null }, finish_reason: extra.finish_reason ?? 'stop', logprobs: null }],
      usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
    },
  };
}
