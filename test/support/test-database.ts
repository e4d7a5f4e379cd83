import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../core/db/database';

export interface TestDatabase {
  uri: string;
  connection: Connection;
  drop(): Promise<void>;
}

export function testMongoBase(): string {
  return process.env.WFW_TEST_MONGODB_BASE ?? `mongodb://127.0.0.1:${process.env.WFW_FERRETDB_PORT ?? 27017}`;
}

/** A database of its own for one test file, on the real FerretDB (never an in-memory fake). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `wfwtest_${label.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const uri = `${testMongoBase()}/${name}`;
  const connection = await connectDatabase(uri);
  return {
    uri,
    connection,
    async drop() {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}
