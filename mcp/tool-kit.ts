import { createHash } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ApiCallError, ApiClient, ApiErrorBody } from './api-client';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** How a tool finds the API client for one call: fixed (stdio) or from the HTTP caller's own token. */
export type ClientResolver = (extra: Extra) => ApiClient;

/** All four hints, always set: hosts decide on confirmation prompts from them. */
export interface Hints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolContext {
  api: ApiClient;
  extra: Extra;
  /** The Idempotency-Key to send (given, or derived from the tool name and arguments); mutating tools only. */
  idempotencyKey?: string;
}

export interface ToolOutcome {
  structured: Record<string, unknown>;
  summary: string;
}

export interface ToolDefinition<S extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: S;
  /** Success fields (top level). Every output schema also admits `error` (isError results). */
  output: z.ZodRawShape;
  hints: Hints;
  /** Sends an Idempotency-Key; adds the optional `idempotency_key` argument. */
  mutating?: boolean;
  run(args: z.infer<z.ZodObject<S>>, ctx: ToolContext): Promise<ToolOutcome>;
}

export function defineTool<S extends z.ZodRawShape>(def: ToolDefinition<S>): ToolDefinition {
  return def as unknown as ToolDefinition;
}

export const apiErrorSchema = z
  .object({
    code: z.string().describe('The API error code, e.g. VALIDATION_ERROR, INSUFFICIENT_SCOPE, NOT_FOUND, INSUFFICIENT_CREDIT, RATE_LIMITED.'),
    message: z.string(),
    retryable: z.boolean().describe('Whether the same call may succeed later.'),
    retry_after: z.number().optional().describe('Seconds to wait before retrying, when the API says.'),
    recovery: z.string().describe('What to do: retry, retry_after_delay, fix_request, reauthenticate, request_scope, check_resource_id, use_new_idempotency_key, wait_for_operation, configure_platform_credentials, add_credit, contact_support, none.'),
    request_id: z.string().optional(),
    details: z.array(z.unknown()).describe('Per-field problems: {field, issue, message, …}.'),
    status: z.number().int().describe('HTTP status of the API answer (0: not reachable).'),
  })
  .describe('Present only on isError results, instead of the fields above.');

export const IDEMPOTENCY_KEY_MAX = 255;

const idempotencyKeyField = z
  .string()
  .min(1)
  .max(IDEMPOTENCY_KEY_MAX)
  .optional()
  .describe(
    'Optional. The same key with the same arguments within 24 h returns the first result instead of doing it again. When omitted, one is derived from the tool name and the arguments, so retrying an identical call is safe; pass a new key to deliberately repeat an identical request.',
  );

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `mcp:<tool>:<sha256 of the canonical JSON of the arguments>` (idempotency_key itself left out). */
export function deriveIdempotencyKey(tool: string, args: Record<string, unknown>): string {
  const { idempotency_key: _ignored, ...rest } = args;
  return `mcp:${tool}:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`;
}

function errorResult(error: ApiErrorBody): CallToolResult {
  const retry = error.retryable ? ` Retryable${error.retry_after !== undefined ? ` after ${error.retry_after} s` : ''}.` : '';
  const detail = (error.details as { field?: string; message?: string }[])
    .slice(0, 5)
    .map((d) => (d && typeof d === 'object' ? `${d.field ? `${d.field}: ` : ''}${d.message ?? ''}` : String(d)))
    .filter(Boolean)
    .join('; ');
  return {
    isError: true,
    content: [{ type: 'text', text: `${error.code}: ${error.message}${detail ? ` (${detail})` : ''}.${retry} Recovery: ${error.recovery}.` }],
    structuredContent: { error },
  };
}

/** Registers every tool on the server; API errors become isError results with the API's error. */
export function registerTools(server: McpServer, tools: ToolDefinition[], resolveClient: ClientResolver): void {
  for (const tool of tools) {
    const input = tool.mutating ? { ...tool.input, idempotency_key: idempotencyKeyField } : tool.input;
    // A resource with an `error` field of its own (an operation's failure) keeps it beside the API error's shape.
    const ownError = tool.output.error as z.ZodType | undefined;
    const errorField = ownError ? z.union([apiErrorSchema, ownError]).optional() : apiErrorSchema.optional();
    const output = z.looseObject({ ...z.object(tool.output).partial().shape, error: errorField });
    server.registerTool(
      tool.name,
      { title: tool.title, description: tool.description, inputSchema: input, outputSchema: output, annotations: { title: tool.title, ...tool.hints } },
      (async (args: Record<string, unknown>, extra: Extra): Promise<CallToolResult> => {
        let api: ApiClient;
        try {
          api = resolveClient(extra);
        } catch (err) {
          if (err instanceof ApiCallError) return errorResult(err.error);
          throw err;
        }
        const idempotencyKey = tool.mutating ? ((args.idempotency_key as string | undefined) ?? deriveIdempotencyKey(tool.name, args)) : undefined;
        const { idempotency_key: _key, ...toolArgs } = args;
        try {
          const outcome = await tool.run(toolArgs as never, { api, extra, idempotencyKey });
          return { content: [{ type: 'text', text: outcome.summary }], structuredContent: outcome.structured };
        } catch (err) {
          if (err instanceof ApiCallError) return errorResult(err.error);
          throw err;
        }
      }) as never,
    );
  }
}

/** Path segment from a model-supplied ID: encoded so it cannot change the path. */
export const seg = (id: string) => encodeURIComponent(id);

export const LIST_LIMIT_MAX = 100;
export const listInput = {
  limit: z.number().int().min(1).max(LIST_LIMIT_MAX).optional().describe(`Items per page, 1 to ${LIST_LIMIT_MAX} (default 20).`),
  cursor: z.string().max(512).optional().describe('next_cursor from the previous page, exactly as returned; omit for the first page.'),
};

export const listOutput = (item: z.ZodType) => ({
  data: z.array(item),
  has_more: z.boolean(),
  next_cursor: z.string().nullable().describe('Pass as cursor to get the next page; null on the last page.'),
});
