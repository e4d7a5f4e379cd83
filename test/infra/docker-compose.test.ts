import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../core/config/config';

const root = path.join(__dirname, '../..');

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });

  it('parses and describes the production topology', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'mongo', 'postgresql', 'temporal', 'temporal-ui', 'worker']);
    expect(compose.services.mongo.command).toEqual(expect.arrayContaining(['--replSet']));
    expect(compose.services.temporal.environment.DB).toMatch(/^postgres/);
    // One image, two processes.
    expect(compose.services.api.build).toBe('.');
    expect(compose.services.worker.build).toBe('.');
    expect(compose.services.api.command).toEqual(['node', 'dist/api/server.js']);
    expect(compose.services.worker.command).toEqual(['node', 'dist/worker/worker.js']);
  });

  it('configures the processes with variables the config really reads, with valid values', () => {
    const env = { ...compose.services.api.environment, WFW_TOKEN_SIGNING_KEYS: `t1:${'x'.repeat(32)}`, WFW_ENCRYPTION_KEYS: `e1:${Buffer.alloc(32).toString('base64')}` };
    const config = loadConfig(env);
    // Production mode: without the keys the processes refuse to start.
    expect(compose.services.api.environment.NODE_ENV).toBe('production');
    expect(() => loadConfig({ ...env, WFW_TOKEN_SIGNING_KEYS: undefined })).toThrow(/NODE_ENV=production needs WFW_TOKEN_SIGNING_KEYS/);
    expect(config.mongodbUri).toContain('replicaSet=rs0');
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.allowPrivateNetworks).toBe(false);
    const known = readFileSync(path.join(root, 'core/config/config.ts'), 'utf8');
    for (const name of Object.keys(compose.services.worker.environment)) expect(known).toContain(name);
  });

  it('publishes no Temporal port (its frontend and UI have no authentication)', () => {
    expect(compose.services.temporal.ports).toBeUndefined();
    expect(compose.services['temporal-ui'].ports).toBeUndefined();
  });
});
