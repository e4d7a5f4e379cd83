import { client } from '../support/http-client';
import type { BusinessSite } from '../support/business-site';
import { waitForOperation } from '../support/temporal-harness';

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function liveAgent(baseUrl: string, token: string, site: BusinessSite) {
  const accepted = await client(baseUrl, token).post('/v2/agents', { payload: { name: 'Reminders', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
  return waitForOperation(baseUrl, token, accepted.body.operation_id);
}

export const numbers = (n: number, base = 5550100) => Array.from({ length: n }, (_, i) => `+1312${base + i}`);

/** The batch once it has ended (completed or canceled). */
export function batchEnded(c: ReturnType<typeof client>, id: string, timeoutMs = 90_000) {
  return until(
    `batch ${id} to end`,
    async () => {
      const b = (await c.get(`/v2/call-batches/${id}`)).body;
      return b.status === 'completed' || b.status === 'canceled' ? b : undefined;
    },
    timeoutMs,
  );
}

/** The most intervals [created_at, ended_at] of these calls that overlap at any instant. */
export function maxOverlap(calls: { created_at: string; ended_at: string | null; updated_at: string }[]): number {
  const points = calls.flatMap((c) => [
    { t: Date.parse(c.created_at), d: 1 },
    { t: Date.parse(c.ended_at ?? c.updated_at), d: -1 },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const p of points) max = Math.max(max, (now += p.d));
  return max;
}
