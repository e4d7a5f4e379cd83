import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApi, ApiHarness } from '../support/api-harness';
import { client } from '../support/http-client';

let api: ApiHarness;
let doc: any;
beforeAll(async () => {
  api = await startApi({ label: 'openapi' });
  const res = await client(api.baseUrl).get('/v2/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => api.close());

describe('GET /v2/openapi.json', () => {
  it('is OpenAPI 3.1 and passes the Redocly linter (recommended-strict) with no problems', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wfw-openapi-'));
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = execFileSync('node', [path.join(__dirname, '../support/lint-openapi.mjs'), file], { encoding: 'utf8' });
    // Liveness, readiness and the document itself take no input and have no client error to describe.
    const inputless = new Set(['#/paths/~1healthz/get/responses', '#/paths/~1readyz/get/responses', '#/paths/~1v2~1openapi.json/get/responses']);
    const problems = JSON.parse(out).filter((p: any) => !(p.rule === 'operation-4xx-response' && inputless.has(p.where)));
    expect(problems).toEqual([]);
  });

  it('covers every mounted route, each with its scope and error responses', async () => {
    const acct = await api.createAccount();
    const documented: string[] = [];
    for (const [p, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        documented.push(`${method.toUpperCase()} ${p}`);
        // Public: the token endpoint, the document, and the platforms' notification door (signed, not token-authenticated).
        if (!p.startsWith('/v2/') || p === '/v2/auth/token' || p === '/v2/openapi.json' || p.startsWith('/v2/platform-notifications/')) continue;
        expect(op['x-required-scope']).toBeDefined();
        expect(op.security[0].oauth2).toEqual([op['x-required-scope']]);
        for (const status of ['401', '403', '429']) {
          expect(op.responses[status]?.content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
        }
        // The scope in the document is the scope the server enforces.
        const path = p.replace(/\{id\}/, 'sa_01m8h42tjf2497t8a180fbw85f');
        const unauth = await client(api.baseUrl).get(path);
        expect([401, 405]).toContain(unauth.status);
      }
    }
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /v2/auth/token',
        'GET /v2/account',
        'POST /v2/service-accounts',
        'GET /v2/service-accounts',
        'GET /v2/service-accounts/{id}',
        'DELETE /v2/service-accounts/{id}',
        'GET /healthz',
        'GET /readyz',
        'GET /v2/openapi.json',
      ]),
    );
    void acct;
  });

  it('documents the error catalogue and recovery actions, generated from the validating schemas', () => {
    const errorSchema = doc.components.schemas.Error;
    expect(errorSchema.properties.error.properties.code.enum).toEqual(expect.arrayContaining(['RATE_LIMITED', 'IDEMPOTENCY_KEY_REUSED', 'VALIDATION_ERROR']));
    expect(errorSchema.properties.error.properties.recovery.enum).toEqual(expect.arrayContaining(['retry_after_delay', 'fix_request', 'reauthenticate']));
    const create = doc.paths['/v2/service-accounts'].post;
    const body = create.requestBody.content['application/json'].schema;
    const resolved = body.$ref ? doc.components.schemas[body.$ref.split('/').pop()] : body;
    expect(resolved.required).toEqual(['name']);
    expect(resolved.properties.scopes.items.enum ?? doc.components.schemas[resolved.properties.scopes.items.$ref?.split('/').pop()]?.enum).toContain('agents:write');
    expect(create.parameters.find((p: any) => p.name === 'Idempotency-Key')).toBeDefined();
  });
});
