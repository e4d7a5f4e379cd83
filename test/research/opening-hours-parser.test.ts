import { hoursFromSpecification, normaliseClock, parseHoursText, parseSchemaOpeningHours } from '../../core/research/opening-hours-parser';

const week = (entries: { day: string; opens: string; closes: string }[]) => entries.map((e) => `${e.day.slice(0, 3)} ${e.opens}-${e.closes}`);

describe('opening hours as written on websites', () => {
  test.each([
    ['Monday 8:00 AM – 5:00 PM', ['mon 08:00-17:00']],
    ['Mon–Fri: 9am-6pm', ['mon 09:00-18:00', 'tue 09:00-18:00', 'wed 09:00-18:00', 'thu 09:00-18:00', 'fri 09:00-18:00']],
    ['Saturday 10 a.m. to 2 p.m.', ['sat 10:00-14:00']],
    ['Weekdays 8-5', ['mon 08:00-17:00', 'tue 08:00-17:00', 'wed 08:00-17:00', 'thu 08:00-17:00', 'fri 08:00-17:00']],
    ['Tues & Thurs 7:30a–6p', ['tue 07:30-18:00', 'thu 07:30-18:00']],
    ['Friday - Saturday 5pm – midnight', ['fri 17:00-00:00', 'sat 17:00-00:00']],
    ['Sunday 11am–2pm, 5pm–9pm', ['sun 11:00-14:00', 'sun 17:00-21:00']],
    ['Mon, Wed, Fri 9-1', ['mon 09:00-13:00', 'wed 09:00-13:00', 'fri 09:00-13:00']],
    ['Tuesday through Thursday 5-10', ['tue 17:00-22:00', 'wed 17:00-22:00', 'thu 17:00-22:00']],
    ['Sat: 9-5pm', ['sat 09:00-17:00']],
    ['Sun 1-5pm', ['sun 13:00-17:00']],
    ['Monday 08:00 – 17:30', ['mon 08:00-17:30']],
    ['Daily 11:00am - 10:00pm', ['mon 11:00-22:00', 'tue 11:00-22:00', 'wed 11:00-22:00', 'thu 11:00-22:00', 'fri 11:00-22:00', 'sat 11:00-22:00', 'sun 11:00-22:00']],
    ['Mon–Fri 8am–5pm · Sat 9am–1pm · Sun Closed', ['mon 08:00-17:00', 'tue 08:00-17:00', 'wed 08:00-17:00', 'thu 08:00-17:00', 'fri 08:00-17:00', 'sat 09:00-13:00']],
    ['8:00am - 5:00pm Monday to Friday', ['mon 08:00-17:00', 'tue 08:00-17:00', 'wed 08:00-17:00', 'thu 08:00-17:00', 'fri 08:00-17:00']],
    ['Saturday & Sunday: Open 24 hours', ['sat 00:00-23:59', 'sun 00:00-23:59']],
  ])('%s', (text, expected) => {
    expect(week(parseHoursText(text).entries)).toEqual(expected);
  });

  test('closed days are reported separately and never as hours', () => {
    const parsed = parseHoursText('Sunday: Closed');
    expect(parsed.entries).toEqual([]);
    expect(parsed.closed).toEqual(['sunday']);
  });

  test.each([
    'We are open to questions any time',
    'Call 512-555-0142 on Monday',
    'Monday we launched our 2-3 week whitening special for $12.50',
    'Satisfaction guaranteed since 1998 - 2024',
  ])('prose that is not a schedule yields nothing: %s', (text) => {
    expect(parseHoursText(text).entries).toEqual([]);
  });
});

describe('schema.org opening hours', () => {
  test('openingHours strings with two-letter days, ranges and lists', () => {
    expect(week(parseSchemaOpeningHours('Mo-Fr 08:00-17:00'))).toHaveLength(5);
    expect(week(parseSchemaOpeningHours('Tu,Th 09:00-12:00'))).toEqual(['tue 09:00-12:00', 'thu 09:00-12:00']);
    expect(week(parseSchemaOpeningHours('Fr-Su 16:00-23:00'))).toEqual(['fri 16:00-23:00', 'sat 16:00-23:00', 'sun 16:00-23:00']);
    expect(week(parseSchemaOpeningHours('Mo-Th 11:00-22:00 Fr-Sa 11:00-23:30'))).toEqual([
      'mon 11:00-22:00', 'tue 11:00-22:00', 'wed 11:00-22:00', 'thu 11:00-22:00', 'fri 11:00-23:30', 'sat 11:00-23:30',
    ]);
  });

  test('OpeningHoursSpecification with day names or URLs, seconds in times, and "closed" as 00:00-00:00', () => {
    expect(week(hoursFromSpecification({ days: ['https://schema.org/Monday', 'http://schema.org/Tuesday'], opens: '08:00:00', closes: '17:00:00' }))).toEqual([
      'mon 08:00-17:00',
      'tue 08:00-17:00',
    ]);
    expect(week(hoursFromSpecification({ days: ['Saturday'], opens: '9:00', closes: '13:00' }))).toEqual(['sat 09:00-13:00']);
    expect(hoursFromSpecification({ days: ['Sunday'], opens: '00:00', closes: '00:00' })).toEqual([]);
  });

  test('clock normalisation', () => {
    expect(normaliseClock('8:00 PM')).toBe('20:00');
    expect(normaliseClock('0830')).toBe('08:30');
    expect(normaliseClock('17:00:00')).toBe('17:00');
    expect(normaliseClock('25:00')).toBeNull();
  });
});
