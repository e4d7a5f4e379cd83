import type { EventDoc } from '../../core/events/event-model';
import { createMonitoredCore, MonitoredCore } from '../support/command-counter';
import { appendAgentEvent } from './event-test-kit';

/** EventLog's sequence numbers under a burst of appends for one account (a batch of activations). */
describe('EventLog sequence allocation (real database)', () => {
  let env: MonitoredCore;
  beforeAll(async () => (env = await createMonitoredCore('event-log-seq')));
  afterAll(() => env?.drop());

  it('100 concurrent appends get 100 distinct numbers, all stored, from far fewer than 100 $inc commands', async () => {
    const { core, commands } = env;
    const accountId = (await core.accounts.create('Burst Co')).id;
    commands.reset();
    const envelopes = await Promise.all(Array.from({ length: 100 }, () => appendAgentEvent(core, accountId)));
    const seqs = envelopes.map((e) => e.sequence);
    expect(new Set(seqs).size).toBe(100);

    const stored = await core.models.events.find({ account_id: accountId }).lean<EventDoc[]>();
    expect(stored.map((d) => d.seq).sort((a, b) => a - b)).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(stored.map((d) => d._id))).toEqual(new Set(envelopes.map((e) => e.event_id)));

    // One process, one account: its appends share each $inc (a handful, not one each), and none
    // collides and retries (before: well over 100, collisions included).
    expect(commands.count('findAndModify', 'event_sequences')).toBeLessThan(30);
    expect(commands.count('insert', 'events')).toBe(100);
    // Numbers are taken when asked, never ahead: the counter ends at the highest one handed out.
    const counter = await core.models.eventSequences.findById(accountId).lean();
    expect(counter!.seq).toBe(Math.max(...seqs));
  });
});
