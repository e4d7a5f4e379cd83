import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../core/config/config';
import { WFW_SEARCH_ATTRIBUTE_NAMES } from '../../core/temporal/search-attributes';

const root = path.join(__dirname, '../..');

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });

  it('parses and describes the production topology', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'mongo', 'postgresql', 'temporal', 'temporal-init', 'temporal-ui', 'worker']);
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

  it('registers every search attribute the workflow starts set before the api and the worker start', () => {
    const init = compose.services['temporal-init'];
    expect(init.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    const script = [init.entrypoint, init.command].flat().join('\n');
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toMatch(/--type Keyword/);
    const listed = script.match(/for name in ([^;]+);/)![1].trim().split(/\s+/);
    expect(listed.sort()).toEqual([...WFW_SEARCH_ATTRIBUTE_NAMES].sort());
    // The same names the infra scripts register on the dev server.
    const lib = readFileSync(path.join(root, 'infra/scripts/lib.sh'), 'utf8');
    expect(lib.match(/WFW_SEARCH_ATTRIBUTES=\(([^)]*)\)/)![1].trim().split(/\s+/).sort()).toEqual([...WFW_SEARCH_ATTRIBUTE_NAMES].sort());
    for (const svc of ['api', 'worker']) expect(compose.services[svc].depends_on['temporal-init']).toEqual({ condition: 'service_completed_successfully' });
  });

  it('serves metrics on their own ports, not the public one', () => {
    expect(compose.services.api.environment.WFW_METRICS_PORT).toBe('9464');
    expect(compose.services.worker.environment.WFW_METRICS_PORT).toBe('9465');
    expect(compose.services.api.environment.WFW_METRICS_PORT).not.toBe(compose.services.api.environment.PORT);
  });

  it('publishes no Temporal port (its frontend and UI have no authentication)', () => {
    expect(compose.services.temporal.ports).toBeUndefined();
    expect(compose.services['temporal-ui'].ports).toBeUndefined();
  });
});
