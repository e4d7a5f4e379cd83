import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { WORKFLOW_BUNDLE } from '../support/workflow-bundle-path';

const HISTORIES = path.join(__dirname, '../fixtures/histories');
const REPLAYER = path.join(__dirname, '../support/replay-histories.js');

function lastLine(out: string): { file: string; ok: boolean; error?: string }[] {
  return JSON.parse(out.trim().split('\n').pop()!);
}

/**
 * Histories recorded from real runs (see test/workflows/record-histories.test.ts) replayed
 * against today's workflow code: a change that would break running workflows fails here.
 */
describe('workflow replay', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort();

  it('has recorded histories for every workflow type and outcome', () => {
    expect(files).toEqual(
      expect.arrayContaining(['provision-active.json', 'provision-failed-compensated.json', 'provision-canceled.json', 'update-succeeded.json', 'rollback-succeeded.json', 'delete-succeeded.json',
        'webhook-delivered-after-retries.json', 'webhook-failed.json', 'webhook-manual-replay.json',
        // Calls (recorded by record-call-histories.test.ts): a test call through the local simulator,
        // an inbound call started then ended by two signals, and one abandoned after polling found nothing.
        'call-test-call.json', 'call-started-then-ended.json', 'call-abandoned.json',
        // A drift check that filed a proposal (recorded by test/knowledge-base/kb-drift.test.ts).
        'kb-drift-proposed.json',
        // The merged deploy-and-number step refused in its deploy half: only the platform agent's undo.
        'provision-failed-at-deploy.json']),
    );
  });

  it('replays every recorded history deterministically', () => {
    const out = execFileSync('node', [REPLAYER, WORKFLOW_BUNDLE, ...files.map((f) => path.join(HISTORIES, f))], { encoding: 'utf8' });
    expect(lastLine(out)).toEqual(files.map((file) => ({ file, ok: true })));
  });

  it('would catch a non-deterministic change (the check can fail)', () => {
    // The same history with two activities swapped: today's code schedules them in the other order.
    const out = execFileSync('node', [REPLAYER, WORKFLOW_BUNDLE, path.join(__dirname, '../fixtures/histories-broken/provision-active-reordered.json')], { encoding: 'utf8' });
    const [result] = lastLine(out);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/Determinism|Nondeterminism|nondeterminism|DeterminismViolation/i);
  });
});
