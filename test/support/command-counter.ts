import type { CommandStartedEvent } from 'mongodb';
import type { Connection } from 'mongoose';
import { createCore, Core } from '../../core/composition-root';
import { loadConfig } from '../../core/config/config';
import { connectDatabase } from '../../core/db/database';
import { createTestDatabase } from './test-database';
import { testLogger } from './test-logger';

export interface CommandCounter {
  /** Commands started since the last reset, by name (e.g. `findAndModify`) and collection. */
  count(command: string, collection: string): number;
  reset(): void;
}

/**
 * A connection with the driver's command monitoring on, opened as the product opens its own
 * (connectDatabase), so a test can count the commands a piece of code sends.
 */
export async function connectMonitored(uri: string): Promise<{ connection: Connection; commands: CommandCounter }> {
  const connection = await connectDatabase(`${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`);
  let started: CommandStartedEvent[] = [];
  connection.getClient().on('commandStarted', (event) => started.push(event));
  const commands: CommandCounter = {
    count: (command, collection) => started.filter((e) => e.commandName === command && e.command[command] === collection).length,
    reset: () => void (started = []),
  };
  return { connection, commands };
}

export interface MonitoredCore {
  core: Core;
  commands: CommandCounter;
  /** Closes the monitored connection and drops the database. */
  drop(): Promise<void>;
}

/** A core on a test database of its own whose commands the test counts. */
export async function createMonitoredCore(label: string): Promise<MonitoredCore> {
  const db = await createTestDatabase(label);
  const { connection, commands } = await connectMonitored(db.uri);
  const core = createCore({ ...loadConfig({}), mongodbUri: db.uri }, connection, testLogger());
  await core.ensureIndexes();
  return {
    core,
    commands,
    async drop() {
      await connection.close();
      await db.drop();
    },
  };
}
