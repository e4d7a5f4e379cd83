import { apiRoutes } from '../../api/app';
import type { RouteSpec } from '../../api/http/route';
import { ALL_SCOPES, Scope } from '../../core/auth/scopes';
import { ID_PREFIXES, IdKind, newId } from '../../core/ids/ids';
import { CREDENTIAL_PROVIDERS } from '../../core/platform-credentials/platform-credential-model';
import { startApi, ApiHarness } from '../support/api-harness';
import { request } from '../support/http-client';

/**
 * Generated from the route table: for every scope S and every route that declares a scope other
 * than S, a token narrowed to S gets 403 INSUFFICIENT_SCOPE naming the route's scope; a token with
 * exactly the route's scope never does.
 *
 * route.ts checks the scope before it validates path, query or body, so the narrowed requests
 * carry malformed path parameters and no body on purpose: a 403 (not a 400) also asserts that order.
 * The exact-scope requests use well-formed IDs that exist nowhere and no body, so they may answer
 * 400, 404 or 2xx, but never 403 INSUFFICIENT_SCOPE, 401, or a 5xx.
 */

let api: ApiHarness;
beforeAll(async () => {
  // About 300 requests from one credential: above the default 600/min would not be reached, but keep clear of it.
  api = await startApi({ label: 'scope-matrix', config: { rateLimit: { requestsPerWindow: 10_000, windowSeconds: 60 } } });
});
afterAll(() => api?.close());

const key = (r: RouteSpec) => `${r.method.toUpperCase()} ${r.path}`;
const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

/** A value for each path parameter that its schema accepts and that names nothing that exists. */
function wellFormedPath(route: RouteSpec): string {
  const shape = (route.params?.shape ?? {}) as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  // '+13125550100': an E.164 number ({number} of the do-not-call routes).
  const candidates = [...(Object.keys(ID_PREFIXES) as IdKind[]).map((k) => newId(k)), '1', ...CREDENTIAL_PROVIDERS, '+13125550100'];
  return route.path.replace(/\{(\w+)\}/g, (_, p: string) => {
    const value = candidates.find((c) => shape[p]?.safeParse(c).success);
    if (value === undefined) throw new Error(`${key(route)}: no well-formed value for {${p}}; add a candidate`);
    return encodeURIComponent(value);
  });
}

/** Status and error of one call; an event stream is cut as soon as its headers arrive. */
async function call(baseUrl: string, method: string, path: string, token: string): Promise<{ status: number; error?: any; text: string }> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    abort.abort();
    return { status: res.status, text: '(event stream)' };
  }
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : undefined;
  return { status: res.status, error: json?.error, text };
}

async function narrowedToken(clientId: string, clientSecret: string, scope: Scope): Promise<string> {
  const res = await request(api.baseUrl, 'POST', '/v2/auth/token', {
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope },
  });
  expect({ status: res.status, scope: res.body.scope }).toEqual({ status: 200, scope });
  return res.body.access_token;
}

describe('scopes on every route', () => {
  it('a token with one scope gets 403 INSUFFICIENT_SCOPE naming the route’s scope on every route outside it, and not with exactly it', async () => {
    const acct = await api.createAccount();
    const tokens = Object.fromEntries(await Promise.all(ALL_SCOPES.map(async (s) => [s, await narrowedToken(acct.clientId, acct.clientSecret, s)] as const))) as Record<Scope, string>;

    const routes = apiRoutes({ core: api.core, probes: [] }).filter((r) => r.scope !== 'public');
    expect(routes.length).toBeGreaterThanOrEqual(35);
    const failures: string[] = [];
    let refusals = 0;

    for (const route of routes) {
      const scope = route.scope as Scope;
      expect(ALL_SCOPES).toContain(scope);
      const method = route.method.toUpperCase();
      // Malformed parameters: scope is checked first, so they must not be what answers.
      const malformed = route.path.replace(/\{(\w+)\}/g, 'not-an-id');

      for (const other of ALL_SCOPES.filter((s) => s !== scope)) {
        const res = await call(api.baseUrl, method, malformed, tokens[other]);
        refusals += 1;
        const ok =
          res.status === 403 &&
          res.error?.code === 'INSUFFICIENT_SCOPE' &&
          res.error.message.includes(scope) &&
          res.error.details?.some((d: { required_scope?: string }) => d.required_scope === scope);
        if (!ok) failures.push(`${key(route)} with ${other} → ${res.status} ${res.text.slice(0, 200)}`);
      }

      const exact = await call(api.baseUrl, method, pathParams(route.path).length ? wellFormedPath(route) : route.path, tokens[scope]);
      if (exact.status === 403 || exact.error?.code === 'INSUFFICIENT_SCOPE' || exact.status === 401 || exact.status >= 500) {
        failures.push(`${key(route)} with exactly ${scope} → ${exact.status} ${exact.text.slice(0, 200)}`);
      }
    }

    expect(failures).toEqual([]);
    // Every scope was tried on every route but its own: 6 scopes, 5 refusals per route.
    expect(refusals).toBe(routes.length * (ALL_SCOPES.length - 1));
  });
});
