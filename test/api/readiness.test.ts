import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApi } from '../../api/app';
import { createCore } from '../../core/composition-root';
import { loadConfig } from '../../core/config/config';
import { connectDatabase, pingDatabase } from '../../core/db/database';
import { createLogger } from '../../core/logging/logger';
import { request } from '../support/http-client';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const lines: Record<string, any>[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let db: TestDatabase;
afterAll(() => db.drop());

describe('/readyz', () => {
  it('answers our own words for a dependency that is down; its error text goes to the logs with the request ID', async () => {
    db = await createTestDatabase('readyz');
    const core = createCore(loadConfig({}), db.connection, createLogger('info', 'wfw-test', sink));
    // A real database connection that is closed: its driver error names the server and the driver state.
    const gone = await connectDatabase(db.uri);
    await gone.close();
    const raw = await pingDatabase(gone).then(() => '', (err: Error) => err.message);
    expect(raw).not.toBe('');

    const { app } = createApi({ core, probes: [{ name: 'database', check: () => pingDatabase(db.connection) }, { name: 'replica', check: () => pingDatabase(gone) }] });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    try {
      const res = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'GET', '/readyz', { headers: { 'x-request-id': 'readyz-probe-1' } });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        status: 'unavailable',
        checks: { database: { ok: true, latency_ms: expect.any(Number) }, replica: { ok: false, error: 'unavailable', latency_ms: expect.any(Number) } },
      });
      expect(res.text).not.toContain(raw);
      const logged = lines.find((l) => l.msg === 'readiness check failed');
      expect(logged).toMatchObject({ request_id: 'readyz-probe-1', dependency: 'replica', err: { message: raw } });
    } finally {
      server.close();
      core.outbound.close();
    }
  });
});
