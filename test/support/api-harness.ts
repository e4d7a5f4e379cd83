import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createApi } from '../../api/app';
import type { RouteSpec } from '../../api/http/route';
import { createCore, Core } from '../../core/composition-root';
import { Config, loadConfig } from '../../core/config/config';
import { connectDatabase, pingDatabase } from '../../core/db/database';
import { createTestDatabase, TestDatabase } from './test-database';
import { createTestAccount, TestAccount } from './test-account';
import { testLogger } from './test-logger';

export interface ApiHarness {
  baseUrl: string;
  core: Core;
  db: TestDatabase;
  /** A new account with a full-scope service account, as `wfw account create` makes it. */
  createAccount(name?: string): Promise<TestAccount>;
  /** Another API instance over the same database (multi-instance behaviour). */
  startSibling(): Promise<{ baseUrl: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  label: string;
  config?: Partial<Config>;
  extraRoutes?: (core: Core) => RouteSpec[];
  logger?: Logger;
}

async function listen(core: Core, extraRoutes: RouteSpec[]): Promise<{ server: Server; baseUrl: string }> {
  const { app } = createApi({ core, probes: [{ name: 'database', check: () => pingDatabase(core.connection) }], extraRoutes });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An API instance on a random port over a fresh database on the real FerretDB. */
export async function startApi(options: HarnessOptions): Promise<ApiHarness> {
  const db = await createTestDatabase(options.label);
  const config: Config = { ...loadConfig({ WFW_ALLOW_PRIVATE_NETWORKS: '1' }), mongodbUri: db.uri, ...options.config };
  const core = createCore(config, db.connection, options.logger ?? testLogger());
  await core.ensureIndexes();
  const { server, baseUrl } = await listen(core, options.extraRoutes?.(core) ?? []);
  const siblings: Server[] = [];

  return {
    baseUrl,
    core,
    db,
    createAccount: (name?: string) => createTestAccount(core, baseUrl, name),
    async startSibling() {
      // A separate core and database connection: nothing shared with the first instance but the database.
      const connection = await connectDatabase(db.uri);
      const siblingCore = createCore(config, connection, testLogger());
      const sibling = await listen(siblingCore, options.extraRoutes?.(siblingCore) ?? []);
      siblings.push(sibling.server);
      return {
        baseUrl: sibling.baseUrl,
        close: async () => {
          await close(sibling.server);
          siblingCore.outbound.close();
          await connection.close();
        },
      };
    },
    async close() {
      await Promise.all([server, ...siblings].filter((s) => s.listening).map(close));
      core.outbound.close();
      await db.drop();
    },
  };
}
