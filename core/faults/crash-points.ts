/**
 * Test-only fault injection: `WFW_TEST_CRASH_AT=<point>[#<n>]` SIGKILLs the process the n-th time
 * (default 1st) it reaches that point, so the crash tests can stop a real API process between two
 * writes instead of hoping a timer lands there. Off unless the variable is set, and refused under
 * NODE_ENV=production so a stray variable can never take a production process down.
 */
const spec = parse(process.env.WFW_TEST_CRASH_AT, process.env.NODE_ENV);
let hits = 0;

export type CrashPoint =
  | 'keyed.claimed'
  | 'keyed.before-complete'
  | 'provision.operation-written'
  | 'provision.agent-written'
  | 'batch.items-written'
  | 'change.operation-written'
  | 'change.claimed'
  /** The worker, at the start of a call's extraction (the call recorded, its transcript stored). */
  | 'call.extract'
  /** The API, with a platform notification stored but its call's workflow not yet signalled. */
  | 'call.notification-stored';

function parse(value: string | undefined, nodeEnv: string | undefined): { point: string; nth: number } | null {
  if (!value || nodeEnv === 'production') return null;
  const [point, nth] = value.split('#');
  return { point, nth: nth ? Math.max(1, Number.parseInt(nth, 10) || 1) : 1 };
}

export function crashPoint(point: CrashPoint): void {
  if (!spec || spec.point !== point) return;
  if (++hits < spec.nth) return;
  // Nothing after this line runs: no finally blocks, no flushed buffers — the state a real kill leaves.
  process.kill(process.pid, 'SIGKILL');
}
