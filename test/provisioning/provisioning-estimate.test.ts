import { newId } from '../../core/ids/ids';
import { provisioningSampleSlot } from '../../core/operations/operation-service';
import { createMonitoredCore, MonitoredCore } from '../support/command-counter';

/** The provisioning-time samples behind the estimate, written by a batch of activations finishing together. */
describe('provisioning time samples (real database)', () => {
  let env: MonitoredCore;
  beforeAll(async () => (env = await createMonitoredCore('provisioning-estimate')));
  afterAll(() => env?.drop());

  it('50 concurrent samples go out in one or a few updates, and every slot holds its latest sample', async () => {
    const { core, commands } = env;
    const samples = Array.from({ length: 50 }, (_, i) => ({ operationId: newId('operation'), seconds: 10 + i }));
    commands.reset();
    await Promise.all(samples.map((s) => core.operations.recordProvisioningTime(s.operationId, s.seconds)));

    expect(commands.count('update', 'operation_stats')).toBeLessThanOrEqual(3);
    // Slots are picked from the operation ID, so some of the 50 share one: the later sample wins there, as with one write each.
    const expected: Record<string, number> = {};
    for (const s of samples) expected[String(provisioningSampleSlot(s.operationId))] = s.seconds;
    const stats = await core.models.operationStats.findById('agent.provision').lean();
    expect(stats!.samples).toEqual(expected);
    expect(await core.operations.estimateProvisioningSeconds()).toBeGreaterThanOrEqual(10);
  });
});
