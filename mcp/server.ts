import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ApiClient } from './api-client';
import { ClientResolver, registerTools, ToolDefinition } from './tool-kit';
import { accountTools } from './tools/account-tools';
import { agentTools } from './tools/agent-tools';
import { callTools } from './tools/call-tools';
import { operationTools } from './tools/operation-tools';
import { researchTools } from './tools/research-tools';
import { webhookTools } from './tools/webhook-tools';
import { knowledgeBaseTools } from './tools/knowledge-base-tools';

export const SERVER_NAME = 'workforcewave';
export const SERVER_VERSION = '0.1.0';

/** Every tool, in the order hosts list them. Knowledge-base tools wait for the knowledge-base issue. */
export const ALL_TOOLS: ToolDefinition[] = [...agentTools, ...operationTools, ...researchTools, ...callTools, ...webhookTools, ...accountTools, ...knowledgeBaseTools];

const INSTRUCTIONS = [
  'Workforce Wave creates and runs phone voice agents for businesses.',
  'Typical flow: list_templates or scout_research → provision_agent → get_operation with wait_seconds until active → run_test_call → get_extractions.',
  'Errors come back as isError results whose structuredContent.error has code, retryable, retry_after and recovery: act on recovery.',
  'Mutating tools are safe to retry with the same arguments (an idempotency key is derived); pass a new idempotency_key to deliberately repeat.',
  'place_call spends prepaid credit and dials real numbers on real platforms.',
].join(' ');

/** An McpServer with every tool; `client` says which API client (credential) serves a call. */
export function createMcpServer(client: ClientResolver | ApiClient): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version: SERVER_VERSION }, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  const resolve: ClientResolver = client instanceof ApiClient ? () => client : client;
  registerTools(server, ALL_TOOLS, resolve);
  return server;
}
