import { businessLocale } from '../../../core/calls/business-locale';

const DEFAULTS = { country: 'US', timezone: 'America/New_York' };

describe('business locale', () => {
  it.each([
    [{ region: 'TX', country: 'US', formatted: '1 Main St, Austin, TX 78701' }, { country: 'US', timezone: 'America/Chicago' }],
    [{ region: 'Illinois', country: 'United States', formatted: '' }, { country: 'US', timezone: 'America/Chicago' }],
    [{ region: 'CA', country: 'USA', formatted: '' }, { country: 'US', timezone: 'America/Los_Angeles' }],
    [{ region: 'arizona', formatted: '' }, { country: 'US', timezone: 'America/Phoenix' }],
    [{ region: 'ON', country: 'Canada', formatted: '' }, { country: 'CA', timezone: 'America/Toronto' }],
    [{ region: 'British Columbia', formatted: '' }, { country: 'CA', timezone: 'America/Vancouver' }],
    [{ region: 'AB', country: 'CA', formatted: '' }, { country: 'CA', timezone: 'America/Edmonton' }],
    [{ formatted: '500 Pearl St, Boulder, CO 80302' }, { country: 'US', timezone: 'America/Denver' }],
    [{ formatted: '10 King St W, Toronto, ON M5H 1A1, Canada', country: 'Canada' }, { country: 'CA', timezone: 'America/Toronto' }],
    [{ country: 'United Kingdom', formatted: '221B Baker Street, London' }, { country: 'GB', timezone: 'Europe/London' }],
    [{ country: 'US', formatted: 'somewhere' }, { country: 'US', timezone: 'America/New_York' }],
  ])('%j', (address, expected) => {
    expect(businessLocale(address, DEFAULTS)).toEqual(expected);
  });

  it('falls back to the defaults when there is no address or nothing recognisable', () => {
    expect(businessLocale(null, { country: 'US', timezone: 'America/Chicago' })).toEqual({ country: 'US', timezone: 'America/Chicago' });
    expect(businessLocale({ formatted: 'Main Street' }, { country: 'US', timezone: 'America/Chicago' })).toEqual({ country: 'US', timezone: 'America/Chicago' });
  });

  it('gives every zone it returns to Intl', () => {
    for (const region of ['AK', 'HI', 'IN', 'MI', 'NL', 'SK', 'PR', 'ID']) {
      const { timezone } = businessLocale({ region, formatted: '' }, DEFAULTS);
      expect(() => new Intl.DateTimeFormat('en-US', { timeZone: timezone })).not.toThrow();
    }
  });
});
