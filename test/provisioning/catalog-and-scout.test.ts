import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { startApi, ApiHarness } from '../support/api-harness';
import { client, expectError } from '../support/http-client';

let api: ApiHarness;
let site: BusinessSite;
beforeAll(async () => {
  site = await serveBusinessSite();
  api = await startApi({ label: 'catalog' });
});
afterAll(async () => {
  await api.close();
  await site.close();
});

describe('templates', () => {
  it('lists the verticals, each with prompt structure, KB sections, dispositions and extraction schema', async () => {
    const { token } = await api.createAccount();
    const res = await client(api.baseUrl, token).get('/v2/templates');
    const ids = res.body.data.map((t: { id: string }) => t.id);
    expect(ids).toEqual(expect.arrayContaining(['dental_receptionist', 'hvac_dispatch', 'legal_intake', 'restaurant_reservations', 'salon_booking', 'veterinary_clinic', 'real_estate_leads', 'auto_repair']));
    const dental = await client(api.baseUrl, token).get('/v2/templates/dental_receptionist');
    expect(dental.body.knowledge_base_sections.length).toBeGreaterThan(2);
    expect(dental.body.dispositions.map((d: { id: string }) => d.id)).toContain('booked');
    expect(dental.body.extraction_schema.fields.length).toBeGreaterThan(3);
    expectError(await client(api.baseUrl, token).get('/v2/templates/astronaut'), 404, 'NOT_FOUND');
  });
});

describe('POST /v2/scout/research', () => {
  it('returns the business profile with sources and a suggested template, provisioning nothing', async () => {
    const { token, accountId } = await api.createAccount();
    const res = await client(api.baseUrl, token).post('/v2/scout/research', { business_url: site.url });
    expect(res.status).toBe(200);
    expect(res.body.profile.name).toMatchObject({ value: 'Smile Dental of Springfield', source_url: site.url, method: 'json-ld' });
    expect(res.body.suggested_template).toMatchObject({ template_id: 'dental_receptionist', confidence: expect.any(Number) });
    expect(res.body.suggested_template.confidence).toBeGreaterThanOrEqual(0.85);
    expect(res.body.pages.map((p: { url: string }) => new URL(p.url).pathname)).toEqual(expect.arrayContaining(['/', '/services', '/contact']));
    expect(await api.db.connection.db!.collection('agents').countDocuments({ account_id: accountId })).toBe(0);
  });

  it('answers a dead site with a structured, retryable RESEARCH_FAILED', async () => {
    const { token } = await api.createAccount();
    const err = expectError(await client(api.baseUrl, token).post('/v2/scout/research', { business_url: 'http://127.0.0.1:1/' }), 422, 'RESEARCH_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.details[0].issue).toBe('site_unreachable');
  });
});
