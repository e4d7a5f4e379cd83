#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ApiClient } from './api-client';
import { createMcpServer, SERVER_VERSION } from './server';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

const USAGE = `workforcewave-mcp — the Workforce Wave MCP server over stdio

Usage: workforcewave-mcp [--api-key KEY] [--api-url URL]

  --api-key KEY   a secret key (sk_live_…) or an access token; prefer the WFW_API_KEY
                  environment variable (a key on the command line shows in process lists)
  --api-url URL   the API base URL (or WFW_API_URL; default ${DEFAULT_API_URL})
`;

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): { apiKey?: string; apiUrl: string; help: boolean } {
  let apiKey = env.WFW_API_KEY || undefined;
  let apiUrl = env.WFW_API_URL || DEFAULT_API_URL;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--api-key') apiKey = value();
    else if (flag === '--api-url') apiUrl = value();
    else if (flag === '-h' || flag === '--help') help = true;
    else throw new Error(`unknown argument: ${arg}`);
  }
  return { apiKey, apiUrl, help };
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    process.stderr.write(USAGE);
    return;
  }
  if (!args.apiKey) {
    process.stderr.write(`No API key: set WFW_API_KEY (or pass --api-key).\n\n${USAGE}`);
    process.exit(2);
  }
  try {
    new URL(args.apiUrl);
  } catch {
    process.stderr.write(`--api-url / WFW_API_URL is not a URL: ${args.apiUrl}\n`);
    process.exit(2);
  }
  const api = new ApiClient({ baseUrl: args.apiUrl, credential: args.apiKey, userAgent: `workforcewave-mcp/${SERVER_VERSION} (stdio)` });
  const server = createMcpServer(api);
  const transport = new StdioServerTransport();
  // stdout carries the protocol; anything for a human goes to stderr.
  await server.connect(transport);
  const stop = () => void server.close().finally(() => process.exit(0));
  process.stdin.on('end', stop);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`workforcewave-mcp: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
