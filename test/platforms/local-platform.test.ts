import { LocalPlatformAdapter } from '../../core/platforms/local-platform-adapter';
import { localPlatformAgentModel } from '../../core/platforms/local-platform-agent-model';
import { AgentDeployment, PLATFORM_NAMES, PlatformCredentials } from '../../core/platforms/platform-adapter';
import { createPlatformAdapters } from '../../core/platforms/platform-registry';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const credentials: PlatformCredentials = { api_key: 'unused-by-the-simulator' };

function deployment(overrides: Partial<AgentDeployment> = {}): AgentDeployment {
  return {
    name: 'Corner Bakery line',
    system_prompt: 'You take cake orders.',
    first_message: 'Corner Bakery, hello!',
    language: 'en',
    knowledge_base: [{ key: 'menu', title: 'Menu', content: 'Sourdough, croissants, birthday cakes.' }],
    dedupe_token: 'op_local_default',
    ...overrides,
  };
}

describe('local platform simulator (FerretDB)', () => {
  let db: TestDatabase;
  let adapter: LocalPlatformAdapter;

  beforeAll(async () => {
    db = await createTestDatabase('localplatform');
    adapter = new LocalPlatformAdapter(localPlatformAgentModel(db.connection));
  });
  afterAll(() => db.drop());

  it('creates an agent holding the whole deployment', async () => {
    const deployed = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_local_create', first_message: '' }));
    expect(deployed.platform).toBe('local');
    expect(deployed.platform_agent_id).toMatch(/^local_agent_[0-9a-f]{32}$/);
    const stored = await adapter.getAgent(deployed.platform_agent_id);
    expect(stored).toMatchObject({
      name: 'Corner Bakery line',
      system_prompt: 'You take cake orders.',
      first_message: '',
      language: 'en',
      voice: null,
      dedupe_token: 'op_local_create',
      knowledge_base: [{ id: deployed.knowledge_base_ids[0], key: 'menu', title: 'Menu', content: 'Sourdough, croissants, birthday cakes.' }],
    });
  });

  it('returns the same agent for a repeated dedupe token, also when the attempts race', async () => {
    const first = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_local_repeat' }));
    expect(await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_local_repeat' }))).toEqual(first);

    const racing = await Promise.all(Array.from({ length: 8 }, () => adapter.createAgent(credentials, deployment({ dedupe_token: 'op_local_race' }))));
    expect(new Set(racing.map((d) => d.platform_agent_id)).size).toBe(1);
    expect(await localPlatformAgentModel(db.connection).countDocuments({ dedupe_token: 'op_local_race' })).toBe(1);
  });

  it('updates in place and keeps knowledge document IDs stable per key', async () => {
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_local_update' }));
    const updated = await adapter.updateAgent(
      credentials,
      created.platform_agent_id,
      deployment({
        dedupe_token: 'op_local_update_2',
        system_prompt: 'Now also wedding cakes.',
        voice: 'warm',
        knowledge_base: [
          { key: 'menu', title: 'Menu', content: 'Sourdough and wedding cakes.' },
          { key: 'hours', title: 'Hours', content: '6am-2pm.' },
        ],
      }),
    );
    expect(updated.platform_agent_id).toBe(created.platform_agent_id);
    expect(updated.knowledge_base_ids[0]).toBe(created.knowledge_base_ids[0]);
    expect(updated.knowledge_base_ids).toHaveLength(2);
    const stored = await adapter.getAgent(created.platform_agent_id);
    expect(stored).toMatchObject({ system_prompt: 'Now also wedding cakes.', voice: 'warm', dedupe_token: 'op_local_update' });

    await expect(adapter.updateAgent(credentials, 'local_agent_missing', deployment())).rejects.toMatchObject({
      platform: 'local',
      code: 'not_found',
      retryable: false,
    });
  });

  it('routes a number to exactly one agent, idempotently', async () => {
    const one = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_local_phone_1' }));
    const two = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_local_phone_2' }));
    const phone = { e164: '+14155550142', telephony: 'local', provider_number_id: 'local_pn_x' };

    await adapter.attachPhoneNumber(credentials, one.platform_agent_id, phone);
    await adapter.attachPhoneNumber(credentials, one.platform_agent_id, phone);
    expect((await adapter.getAgent(one.platform_agent_id))?.phone_numbers).toEqual(['+14155550142']);
    expect((await adapter.agentForNumber('+14155550142'))?._id).toBe(one.platform_agent_id);

    await adapter.attachPhoneNumber(credentials, two.platform_agent_id, phone);
    expect((await adapter.getAgent(one.platform_agent_id))?.phone_numbers).toEqual([]);
    expect((await adapter.agentForNumber('+14155550142'))?._id).toBe(two.platform_agent_id);

    await expect(adapter.attachPhoneNumber(credentials, 'local_agent_missing', phone)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('deletes idempotently', async () => {
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_local_delete' }));
    await adapter.deleteAgent(credentials, created);
    expect(await adapter.getAgent(created.platform_agent_id)).toBeNull();
    await expect(adapter.deleteAgent(credentials, created)).resolves.toBeUndefined();
  });

  it('applies the configured latency to each call', async () => {
    const slow = new LocalPlatformAdapter(localPlatformAgentModel(db.connection), { latencyMs: 60 });
    const started = performance.now();
    await slow.createAgent(credentials, deployment({ dedupe_token: 'op_local_latency' }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('the registry has one adapter per platform name', () => {
    const adapters = createPlatformAdapters({ connection: db.connection });
    expect(Object.keys(adapters).sort()).toEqual([...PLATFORM_NAMES].sort());
    for (const name of PLATFORM_NAMES) expect(adapters[name].name).toBe(name);
  });
});
