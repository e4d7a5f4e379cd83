import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { PLATFORM_NAMES } from '../../core/platforms/platform-adapter';
import { AGENT_STATUSES } from '../../core/agents/agent-model';
import { CALL_STATUSES } from '../../core/calls/call-types';
import * as mcpConstants from '../../mcp/constants';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { startStack, Stack } from '../support/temporal-harness';
import type { TestAccount } from '../support/test-account';

const ROOT = path.resolve(__dirname, '../..');
const STDIO_ENTRY = path.join(ROOT, 'dist/mcp/stdio.js');

const TOOL_NAMES = [
  'provision_agent', 'provision_agents', 'get_agent', 'list_agents', 'update_agent', 'get_operation', 'cancel_operation', 'get_batch',
  'scout_research', 'list_templates', 'list_calls', 'get_call_transcript', 'get_extractions', 'place_call', 'run_test_call',
  'get_balance', 'list_webhooks', 'create_webhook', 'sync_knowledge_base', 'propose_kb_update', 'approve_kb_proposal',
].sort();

const TEST_CALL = [
  { role: 'agent', text: 'Thanks for calling Smile Dental, this is Ava. How can I help?' },
  { role: 'caller', text: 'Hi, I would like to book a cleaning for next Tuesday morning.' },
  { role: 'agent', text: 'Of course. Can I get your name please?' },
  { role: 'caller', text: 'Sure, my name is Maria Lopez.' },
  { role: 'agent', text: 'What is the best number to reach you?' },
  { role: 'caller', text: 'Three one two, five five five, zero one four two.' },
  { role: 'agent', text: 'Thank you Maria, you are booked.' },
];

let stack: Stack;
let site: BusinessSite;
let acct: TestAccount;
let stdio: Client;
let http: Client;

async function stdioClient(apiKey: string): Promise<Client> {
  const client = new Client({ name: 'jest-stdio', version: '1.0.0' });
  // As a host would start it: the built bin, the key in the environment.
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [STDIO_ENTRY], env: { ...getDefaultEnvironment(), WFW_API_KEY: apiKey, WFW_API_URL: stack.baseUrl }, stderr: 'pipe' }));
  return client;
}

async function httpClient(bearer: string): Promise<Client> {
  const client = new Client({ name: 'jest-http', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${stack.baseUrl}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }));
  return client;
}

type Result = { isError?: boolean; structuredContent?: any; content: any[] };
const call = (client: Client, name: string, args: Record<string, unknown>, options?: Parameters<Client['callTool']>[2]) => client.callTool({ name, arguments: args }, undefined, options) as Promise<Result>;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const initialize = (headers: Record<string, string>) =>
  fetch(`${stack.baseUrl}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });

beforeAll(async () => {
  if (!existsSync(STDIO_ENTRY)) execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  site = await serveBusinessSite();
  stack = await startStack({ label: 'mcp' });
  acct = await stack.createAccount('MCP Co');
  // The stdio server is given the secret key itself; the HTTP one an access token: both are Bearer credentials.
  stdio = await stdioClient(acct.clientSecret);
  http = await httpClient(acct.token);
}, 120_000);

afterAll(async () => {
  await stdio?.close();
  await http?.close();
  await stack?.close();
  await site?.close();
});

describe('MCP server: the tool set', () => {
  it.each(['stdio', 'http'] as const)('over %s lists every tool with valid JSON Schemas and all four annotations', async (via) => {
    const client = via === 'stdio' ? stdio : http;
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
    // A validator for the draft each schema declares (the SDK emits draft-07 for zod shapes).
    const validators = { draft7: new Ajv({ strict: false, allErrors: true }), draft2020: new Ajv2020({ strict: false, allErrors: true }) };
    const ajvFor = (schema: { [k: string]: unknown }) => (String(schema.$schema ?? '').includes('2020-12') ? validators.draft2020 : validators.draft7);
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(60);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(() => ajvFor(tool.inputSchema).compile(tool.inputSchema)).not.toThrow();
      expect(() => ajvFor(tool.outputSchema as { [k: string]: unknown }).compile(tool.outputSchema as object)).not.toThrow();
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) expect(typeof tool.annotations?.[hint]).toBe('boolean');
      // Every property a model fills in is described.
      for (const [name, prop] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect([tool.name, name, (prop as { description?: string }).description]).toEqual([tool.name, name, expect.any(String)]);
      }
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    // Spending credit or placing a call is never read-only; mutating tools take an idempotency key.
    for (const name of ['place_call', 'run_test_call', 'provision_agent', 'provision_agents', 'update_agent', 'cancel_operation', 'create_webhook', 'sync_knowledge_base', 'propose_kb_update', 'approve_kb_proposal']) {
      expect(byName[name].annotations?.readOnlyHint).toBe(false);
      expect(byName[name].inputSchema.properties).toHaveProperty('idempotency_key');
    }
    expect(byName.provision_agent.annotations?.openWorldHint).toBe(true);
    expect(byName.get_agent.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
  });

  it('the package’s own constants match the API’s', () => {
    expect([...mcpConstants.PLATFORMS]).toEqual([...PLATFORM_NAMES]);
    expect([...mcpConstants.AGENT_STATUSES]).toEqual([...AGENT_STATUSES]);
    expect([...mcpConstants.CALL_STATUSES]).toEqual([...CALL_STATUSES]);
  });
});

describe('MCP server: knowledge-base tools', () => {
  it('over HTTP: a caller question the agent could not answer becomes a proposal; approving it makes a new version and syncs it', async () => {
    const accepted = await call(http, 'provision_agent', { name: 'Parking Desk', platform: 'local', business_url: site.url, template_id: 'dental_receptionist', idempotency_key: 'kb-tools-agent' });
    const { operation_id, agent_id } = accepted.structuredContent;
    await until('the agent', async () => {
      const r = await call(http, 'get_operation', { operation_id, wait_seconds: 30 }, { timeout: 60_000 });
      return r.structuredContent.settled ? r : undefined;
    });
    const turns = [
      { role: 'agent', text: 'Thanks for calling, how can I help?' },
      { role: 'caller', text: 'Is there parking near your office?' },
      { role: 'agent', text: 'I am sorry, I do not have information about parking. I can take a message for the team.' },
    ];
    const testCall = await call(http, 'run_test_call', { agent_id, turns });
    const callId = testCall.structuredContent.id;
    await until('the test call', async () => {
      const r = await call(http, 'get_extractions', { call_id: callId });
      return !r.isError && r.structuredContent.status !== 'pending' ? r : undefined;
    });

    const proposed = await call(http, 'propose_kb_update', { agent_id, call_ids: [callId] });
    expect(proposed.isError).toBeFalsy();
    expect(proposed.structuredContent).toMatchObject({ id: expect.stringMatching(/^kbp_/), status: 'pending' });
    const changes = proposed.structuredContent.changes;
    expect(changes.length).toBeGreaterThan(0);
    expect(changes[0].evidence[0]).toMatchObject({ call_id: callId, quote: expect.stringContaining('parking') });

    const filled = changes.map((c: Record<string, unknown>) => (c.needs_answer ? { ...c, after: 'Free parking behind the building.', needs_answer: false } : c));
    const approved = await call(http, 'approve_kb_proposal', { agent_id, proposal_id: proposed.structuredContent.id, changes: filled });
    expect(approved.isError).toBeFalsy();
    expect(approved.structuredContent).toMatchObject({ status: 'approved', applied_version: expect.any(Number) });

    const sync = await call(http, 'sync_knowledge_base', { agent_id });
    expect(sync.isError).toBeFalsy();
    const done = await until('the sync', async () => {
      const r = await call(http, 'get_operation', { operation_id: sync.structuredContent.operation_id, wait_seconds: 30 }, { timeout: 60_000 });
      return r.structuredContent.settled ? r : undefined;
    });
    expect(done.structuredContent.status).toBe('succeeded');
  });
});

describe('MCP server: an agent end to end', () => {
  it('over stdio: provision_agent + get_operation(wait_seconds) with progress, read it back, a test call with its transcript and extractions', async () => {
    const accepted = await call(stdio, 'provision_agent', { name: 'Smile Dental AI', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' });
    expect(accepted.isError).toBeFalsy();
    expect(accepted.structuredContent).toMatchObject({ operation_id: expect.stringMatching(/^op_/), agent_id: expect.stringMatching(/^agt_/), status: 'pending' });
    const { operation_id, agent_id } = accepted.structuredContent;

    const progress: number[] = [];
    let op: Result | undefined;
    for (let i = 0; i < 4; i++) {
      op = await call(stdio, 'get_operation', { operation_id, wait_seconds: 30 }, { onprogress: (p) => progress.push(p.progress), timeout: 60_000 });
      expect([op.isError, op.content[0]?.text]).toEqual([undefined, expect.any(String)]);
      if (op.structuredContent.settled) break;
    }
    expect(op!.structuredContent).toMatchObject({ id: operation_id, status: 'active', settled: true, phone_number: expect.stringMatching(/^\+1/) });
    // Progress notifications arrived while it waited, each further along than the last.
    expect(progress.length).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]);

    const agent = await call(stdio, 'get_agent', { agent_id });
    expect(agent.structuredContent).toMatchObject({ id: agent_id, status: 'active', platform: 'local', template_id: 'dental_receptionist' });
    const listed = await call(stdio, 'list_agents', { limit: 5 });
    expect(listed.structuredContent.data.map((a: { id: string }) => a.id)).toContain(agent_id);

    const testCall = await call(stdio, 'run_test_call', { agent_id, turns: TEST_CALL, caller_number: '+13125550142' });
    expect(testCall.isError).toBeFalsy();
    expect(testCall.structuredContent).toMatchObject({ id: expect.stringMatching(/^call_/), test: true, agent_id });
    const callId = testCall.structuredContent.id;

    const extraction = await until('extractions', async () => {
      const r = await call(stdio, 'get_extractions', { call_id: callId });
      return !r.isError && r.structuredContent.status === 'completed' ? r.structuredContent : undefined;
    });
    const field = (name: string) => extraction.fields.find((f: { name: string }) => f.name === name);
    expect(extraction.fields.length).toBeGreaterThan(0);
    expect(extraction.fields.some((f: { value: unknown }) => f.value !== null)).toBe(true);
    expect(field('patient_name')?.value ?? field('caller_name')?.value ?? field('customer_name')?.value).toBe('Maria Lopez');

    const page1 = await call(stdio, 'get_call_transcript', { call_id: callId, limit: 3 });
    expect(page1.structuredContent).toMatchObject({ call_id: callId, total_turns: TEST_CALL.length, offset: 0, has_more: true, next_offset: 3 });
    expect(page1.structuredContent.turns.map((t: { text: string }) => t.text)).toEqual(TEST_CALL.slice(0, 3).map((t) => t.text));
    const page2 = await call(stdio, 'get_call_transcript', { call_id: callId, offset: 3, limit: 100 });
    expect(page2.structuredContent).toMatchObject({ offset: 3, has_more: false, next_offset: null });
    expect(page2.structuredContent.turns).toHaveLength(TEST_CALL.length - 3);

    const calls = await call(stdio, 'list_calls', { agent_id });
    expect(calls.structuredContent.data.map((c: { id: string }) => c.id)).toEqual([callId]);
  });

  it('over HTTP: a retried provision_agent with the same arguments provisions one agent', async () => {
    const args = { name: 'Retry Dental', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' };
    const first = await call(http, 'provision_agent', args);
    const second = await call(http, 'provision_agent', { ...args });
    expect(first.isError).toBeFalsy();
    expect(second.structuredContent).toMatchObject({ agent_id: first.structuredContent.agent_id, operation_id: first.structuredContent.operation_id });
    const op = await call(http, 'get_operation', { operation_id: first.structuredContent.operation_id, wait_seconds: 30 }, { timeout: 60_000 });
    expect(op.isError).toBeFalsy();
    const listed = await call(http, 'list_agents', { name: 'Retry Dental' });
    expect(listed.structuredContent.data).toHaveLength(1);
    // A new key deliberately repeats it.
    const third = await call(http, 'provision_agent', { ...args, idempotency_key: 'again-1' });
    expect(third.structuredContent.agent_id).not.toBe(first.structuredContent.agent_id);
  });

  it('reads templates, the balance and webhooks', async () => {
    const templates = await call(http, 'list_templates', { limit: 100 });
    expect(templates.structuredContent.data.map((t: { id: string }) => t.id)).toContain('dental_receptionist');
    const full = await call(http, 'list_templates', { template_id: 'dental_receptionist' });
    expect(full.structuredContent.template).toMatchObject({ id: 'dental_receptionist', extraction_schema: expect.any(Object) });
    const balance = await call(http, 'get_balance', {});
    expect(balance.structuredContent).toMatchObject({ available_usd: expect.any(Number), rate_per_minute_usd: expect.any(Number) });
    const created = await call(http, 'create_webhook', { url: 'https://example.com/hooks', event_types: ['agent.activated'] });
    expect(created.structuredContent).toMatchObject({ id: expect.stringMatching(/^wh_/), secret: expect.stringMatching(/^whsec_/) });
    const hooks = await call(http, 'list_webhooks', {});
    expect(hooks.structuredContent.data.map((w: { id: string }) => w.id)).toContain(created.structuredContent.id);
  });
});

describe('MCP server: errors are tool results carrying the API’s structured error', () => {
  it.each(['stdio', 'http'] as const)('over %s a bad business_url is VALIDATION_ERROR naming the field', async (via) => {
    const r = await call(via === 'stdio' ? stdio : http, 'provision_agent', { name: 'Bad', platform: 'local', business_url: 'not a url', template_id: 'dental_receptionist' });
    expect(r.isError).toBe(true);
    expect(r.structuredContent.error).toMatchObject({ code: 'VALIDATION_ERROR', retryable: false, recovery: 'fix_request', status: 400 });
    expect(JSON.stringify(r.structuredContent.error.details)).toContain('business_url');
    expect(r.content[0].text).toContain('VALIDATION_ERROR');
  });

  it.each(['stdio', 'http'] as const)('over %s a credential without agents:write gets INSUFFICIENT_SCOPE', async (via) => {
    const readOnly = await stack.core.serviceAccounts.create(acct.accountId, { name: `read-only-${via}`, scopes: ['agents:read'] });
    const client = via === 'stdio' ? await stdioClient(readOnly.client_secret) : await httpClient(readOnly.client_secret);
    try {
      const r = await call(client, 'provision_agent', { name: 'Nope', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' });
      expect(r.isError).toBe(true);
      expect(r.structuredContent.error).toMatchObject({ code: 'INSUFFICIENT_SCOPE', recovery: 'request_scope', status: 403 });
      // What the scope allows still works.
      const listed = await call(client, 'list_agents', {});
      expect(listed.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('an unknown operation is NOT_FOUND', async () => {
    const r = await call(http, 'get_operation', { operation_id: 'op_01HZZZZZZZZZZZZZZZZZZZZZZZ' });
    expect(r.isError).toBe(true);
    expect(r.structuredContent.error.code).toMatch(/NOT_FOUND|INVALID_ID/);
  });
});

describe('MCP over Streamable HTTP: authentication, origin, sessions', () => {
  it('without a token: 401 with WWW-Authenticate', async () => {
    const res = await initialize({});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const bad = await initialize({ authorization: 'Bearer sk_live_nope' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('a foreign Origin is refused (DNS-rebinding protection); no Origin is fine', async () => {
    const res = await initialize({ authorization: `Bearer ${acct.token}`, origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    const ok = await initialize({ authorization: `Bearer ${acct.token}` });
    expect(ok.status).toBe(200);
    const sessionId = ok.headers.get('mcp-session-id') as string;
    expect(sessionId).toBeTruthy();
    await ok.text();
    // A session belongs to the credential that opened it.
    const other = await stack.createAccount('Other Co');
    const foreign = await fetch(`${stack.baseUrl}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${other.token}`, 'mcp-session-id': sessionId } });
    expect(foreign.status).toBe(404);
    const ended = await fetch(`${stack.baseUrl}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${acct.token}`, 'mcp-session-id': sessionId } });
    expect(ended.status).toBe(200);
  });

  it('sessions are bounded per account', async () => {
    const owner = await stack.createAccount('Sessions Co');
    const opened: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await initialize({ authorization: `Bearer ${owner.token}` });
      expect(res.status).toBe(200);
      opened.push(res.headers.get('mcp-session-id') as string);
      await res.text();
    }
    const refused = await initialize({ authorization: `Bearer ${owner.token}` });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account is not affected; ending one session makes room.
    const elsewhere = await initialize({ authorization: `Bearer ${acct.token}` });
    expect(elsewhere.status).toBe(200);
    await fetch(`${stack.baseUrl}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${owner.token}`, 'mcp-session-id': opened[0] } });
    const again = await initialize({ authorization: `Bearer ${owner.token}` });
    expect(again.status).toBe(200);
  });
});
