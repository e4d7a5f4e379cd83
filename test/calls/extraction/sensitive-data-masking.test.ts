import { luhnValid, maskSensitiveText, maskSensitiveTurns, maskSensitiveValue } from '../../../core/calls/sensitive-data-masking';
import { turnsOf } from './transcript-helpers';

describe('sensitive data masking', () => {
  it.each([
    ['my card is 4242 4242 4242 4242, expiry 12/28', 'my card is [card ending 4242], expiry 12/28'],
    ['4111-1111-1111-1111', '[card ending 1111]'],
    ['it is 4242424242424242', 'it is [card ending 4242]'],
    ['four two four two, four two four two, four two four two, four two four two', '[card ending 4242]'],
    ['amex three seven eight two, eight two two four six three, one zero zero zero five', 'amex [card ending 0005]'],
    ['my social is 123-45-6789', 'my social is [ssn ending 6789]'],
    ['123-45-6789', '[ssn ending 6789]'],
    ['social security number one two three four five six seven eight nine', 'social security number [ssn ending 6789]'],
    ['the routing number is 021000021 and the account number is 000123456789', 'the routing number is [routing number ending 0021] and the account number is [account ending 6789]'],
  ])('%s', (text, masked) => {
    expect(maskSensitiveText(text)).toBe(masked);
  });

  it('masks a number that fails the Luhn check only when the caller says it is a card', () => {
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(maskSensitiveText('order 4242424242424241')).toBe('order 4242424242424241');
    expect(maskSensitiveText('my visa is 4242424242424241')).toBe('my visa is [card ending 4241]');
  });

  it('leaves phone numbers, dates, addresses and prices alone', () => {
    const text = 'Call me at 312 555 0147 or (773) 555-0199, I live at 1420 Elm Street 60201, budget $750,000, born 3/3/1985. My account email is a at b dot com, cell 312 555 0100.';
    expect(maskSensitiveText(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = maskSensitiveText('card 4242 4242 4242 4242 and account number 12345678');
    expect(maskSensitiveText(once)).toBe(once);
  });

  it('masks every turn of a transcript and leaves the input untouched', () => {
    const turns = turnsOf(['A: How would you like to pay?', 'C: Visa, 4000 0566 5566 5556.']);
    const masked = maskSensitiveTurns(turns);
    expect(masked.map((t) => t.text)).toEqual(['How would you like to pay?', 'Visa, [card ending 5556].']);
    expect(turns[1].text).toContain('4000 0566');
  });

  it('masks strings inside extraction results and event payloads', () => {
    const payload = { fields: [{ name: 'notes', value: 'card 4242 4242 4242 4242', evidence: [{ turn: 1, quote: '4242 4242 4242 4242' }] }], count: 3 };
    expect(maskSensitiveValue(payload)).toEqual({ fields: [{ name: 'notes', value: 'card [card ending 4242]', evidence: [{ turn: 1, quote: '[card ending 4242]' }] }], count: 3 });
  });

  it('is quick on hostile digit floods', () => {
    const started = Date.now();
    maskSensitiveText('4'.repeat(500_000) + ' 4 '.repeat(200_000) + 'account '.repeat(50_000));
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
