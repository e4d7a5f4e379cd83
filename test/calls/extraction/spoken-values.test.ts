import { emailMentions } from '../../../core/calls/extraction/spoken-emails';
import { dateMentions, normalizeIsoDatetime, zonedInstant } from '../../../core/calls/extraction/spoken-dates';
import { amounts } from '../../../core/calls/extraction/spoken-numbers';
import { phoneMentions } from '../../../core/calls/extraction/spoken-phone-numbers';
import { nameMentions } from '../../../core/calls/extraction/name-mentions';
import { addressMentions } from '../../../core/calls/extraction/street-addresses';
import { hedgePenalty, isCorrection } from '../../../core/calls/extraction/hedging';
import { tokenize } from '../../../core/calls/extraction/transcript-tokens';

describe('spoken phone numbers', () => {
  it.each([
    ['five five five, one two three, four five six seven', '+15551234567'],
    ['555 123 4567', '+15551234567'],
    ['(312) 555-0147', '+13125550147'],
    ['three one two, five five five, oh one four seven', '+13125550147'],
    ['it is eight four seven, five five five, double one two two', '+18475551122'],
    ['one eight hundred five five five zero one nine nine', '+18005550199'],
    ['plus four four two zero seven nine four six zero one two three', '+442079460123'],
    ['312.555.0147', '+13125550147'],
  ])('%s → %s', (text, e164) => {
    expect(phoneMentions(tokenize(text), 'US').map((p) => p.e164)).toEqual([e164]);
  });

  it('reads numbers without a country code in the business country', () => {
    expect(phoneMentions(tokenize('020 7946 0123'), 'GB').map((p) => p.e164)).toEqual(['+442079460123']);
  });

  it('does not take "oh" in speech, or short numbers, for a phone number', () => {
    expect(phoneMentions(tokenize('oh, I have two kids and a dog'), 'US')).toEqual([]);
    expect(phoneMentions(tokenize('it is at 1420 Elm Street'), 'US')).toEqual([]);
  });
});

describe('spoken e-mail addresses', () => {
  const read = (text: string) => emailMentions(text, tokenize(text)).map((e) => ({ email: e.email, quote: text.slice(e.start, e.end) }));
  it.each([
    ['my email is john dot smith at gmail dot com', 'john.smith@gmail.com', 'john dot smith at gmail dot com'],
    ["it's jsmith42 at yahoo dot com thanks", 'jsmith42@yahoo.com', 'jsmith42 at yahoo dot com'],
    ['sure, j smith underscore 42 at yahoo dot co dot uk', 'jsmith_42@yahoo.co.uk', 'j smith underscore 42 at yahoo dot co dot uk'],
    ['send it to Dana.Ruiz@Example.org please', 'dana.ruiz@example.org', 'Dana.Ruiz@Example.org'],
  ])('%s', (text, email, quote) => {
    expect(read(text)).toEqual([{ email, quote }]);
  });

  it('does not read "at home" or "at the office" as an address', () => {
    expect(read("I'm at home all day, or at the office by five")).toEqual([]);
  });
});

describe('spoken dates in the business time zone', () => {
  const friday = new Date('2026-03-06T16:00:00Z'); // 10:00 in Chicago, two days before DST starts
  const values = (text: string, at = friday, zone = 'America/Chicago') => dateMentions(text, at, zone).map((d) => d.value);

  it('resolves relative days and times against the call in its zone', () => {
    expect(values('tomorrow at 3')).toEqual(['2026-03-07T15:00:00-06:00']);
    expect(values('next Thursday morning')).toEqual(['2026-03-12T09:00:00-05:00']);
    expect(values('Tuesday afternoon')).toEqual(['2026-03-10T14:00:00-05:00']);
    expect(values('this Saturday at 7:30 pm')).toEqual(['2026-03-07T19:30:00-06:00']);
  });

  it('takes "today" as the business day, not the UTC one', () => {
    // 23:30 in Los Angeles is already tomorrow in UTC
    expect(values('today at 9 am', new Date('2026-07-02T06:30:00Z'), 'America/Los_Angeles')).toEqual(['2026-07-01T09:00:00-07:00']);
  });

  it('keeps a day without a time a date', () => {
    expect(values('March 3rd, 1985')).toEqual(['1985-03-03']);
  });

  it('lands on the later side of a DST gap and keeps the offset of the day meant', () => {
    expect(zonedInstant('America/Chicago', 2026, 3, 8, 2, 30).toISOString()).toBe('2026-03-08T08:30:00.000Z');
    expect(normalizeIsoDatetime('2026-11-02T10:00', 'America/Chicago')).toBe('2026-11-02T10:00:00-06:00');
    expect(normalizeIsoDatetime('2026-11-02T16:00:00Z', 'America/Chicago')).toBe('2026-11-02T10:00:00-06:00');
    expect(normalizeIsoDatetime('next week', 'America/Chicago')).toBeNull();
  });
});

describe('amounts', () => {
  const read = (text: string) => amounts(tokenize(text)).map((a) => a.value);
  it.each([
    ['about fifteen years', [15]],
    ['$200', [200]],
    ['two hundred dollars', [200]],
    ['twenty five thousand', [25_000]],
    ['$1,200.50', [1200.5]],
    ['500k', [500_000]],
    ['half a million', [500_000]],
    ['four hundred and fifty thousand', [450_000]],
  ])('%s', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });
});

describe('names', () => {
  const names = (text: string, expecting = false) => nameMentions(text, expecting, false).map((n) => `${n.role}:${n.name}${n.spelled ? ' (spelled)' : ''}`);
  it('recognises the usual introductions', () => {
    expect(names('Hi, this is Dana Ruiz calling about my furnace')).toEqual(['self:Dana Ruiz']);
    expect(names("my name's Tom")).toEqual(['self:Tom']);
    expect(names("I'm calling for my daughter Zoe, I'm Ben Ortiz")).toEqual(['other:Zoe', 'self:Ben Ortiz']);
    expect(names("yeah it's john smith", true)).toEqual(['self:John Smith']);
    expect(names('Smith. S-M-I-T-H.', true)).toEqual(['self:Smith', 'self:Smith (spelled)']);
  });

  it('does not take ordinary words after "I\'m" or "this is" for a name', () => {
    expect(names("I'm not sure, this is urgent, I'm calling because the heat is out")).toEqual([]);
  });
});

describe('addresses', () => {
  it('takes the street with its city, region and postcode', () => {
    const text = 'Sure, it is 1420 North Elm Street, apartment 3B, Springfield, IL 62704. Thanks.';
    expect(addressMentions(text).map((a) => a.address)).toEqual(['1420 North Elm Street, apartment 3B, Springfield, IL 62704']);
  });
});

describe('hedging and corrections', () => {
  it('tells hedges from approximations', () => {
    expect(hedgePenalty("I think it's Tuesday")).toBeGreaterThan(0.2);
    expect(hedgePenalty('not sure, probably fifteen')).toBeGreaterThan(0.2);
    expect(hedgePenalty('about fifteen years')).toBeLessThan(0.1);
    expect(hedgePenalty('It is Tuesday')).toBe(0);
  });

  it('recognises correction markers', () => {
    expect(isCorrection('Actually make that ')).toBe(true);
    expect(isCorrection("no, sorry, it's ")).toBe(true);
    expect(isCorrection('My number is ')).toBe(false);
  });
});

describe('days of the month without a month', () => {
  const wednesday = new Date('2026-05-13T15:00:00Z');
  const values = (text: string) => dateMentions(text, wednesday, 'America/Chicago').map((d) => d.value);
  it('takes the next such day, with the weekday or time said beside it', () => {
    expect(values('on the 15th')).toEqual(['2026-05-15']);
    expect(values('the 15th at 2pm')).toEqual(['2026-05-15T14:00:00-05:00']);
    expect(values('Friday the 22nd')).toEqual(['2026-05-22']);
    expect(values('the 3rd, please')).toEqual(['2026-06-03']);
    expect(values('the twenty first in the morning')).toEqual(['2026-05-21T09:00:00-05:00']);
  });

  it('does not read ordinals before a noun as days', () => {
    expect(values("it's the first time I call, we are on the 2nd floor")).toEqual([]);
  });

  it('marks a week without a day as vague, and reads "two weeks from today" once', () => {
    expect(dateMentions('sometime next week', wednesday, 'America/Chicago').map((d) => d.vague)).toEqual([true]);
    expect(values('two weeks from today')).toEqual(['2026-05-27']);
  });
});

describe('phone numbers in pieces', () => {
  it('joins groups separated by "area code", "then", "and"', () => {
    expect(phoneMentions(tokenize('area code 312, then 555 0147'), 'US').map((p) => p.e164)).toEqual(['+13125550147']);
    expect(phoneMentions(tokenize('three one two and then five five five oh one four seven'), 'US').map((p) => p.e164)).toEqual(['+13125550147']);
  });

  it('does not join a count to a number', () => {
    expect(phoneMentions(tokenize('we are 4 and my number is 312 555 0147'), 'US').map((p) => p.e164)).toEqual(['+13125550147']);
  });
});
