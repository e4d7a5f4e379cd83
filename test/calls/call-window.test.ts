import { nextAllowedInstant, zonedInstant, CallWindow } from '../../workflows/call-window';

const weekdays: CallWindow['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const ny: CallWindow = { timezone: 'America/New_York', days: weekdays, start: '09:00', end: '17:00' };
const at = (iso: string, w: CallWindow) => nextAllowedInstant(new Date(iso), w).toISOString();

describe('the calling window: the next instant a call may be placed', () => {
  it('inside the window is now; before it is today’s opening; after it the next day’s', () => {
    expect(at('2026-03-04T15:00:00.000Z', ny)).toBe('2026-03-04T15:00:00.000Z'); // Wed 10:00 EST
    expect(at('2026-03-04T12:00:00.000Z', ny)).toBe('2026-03-04T14:00:00.000Z'); // Wed 07:00 → 09:00 EST
    expect(at('2026-03-04T22:00:00.000Z', ny)).toBe('2026-03-05T14:00:00.000Z'); // Wed 17:00 (end is exclusive) → Thu 09:00
    expect(at('2026-03-04T21:59:59.000Z', ny)).toBe('2026-03-04T21:59:59.000Z');
  });

  it('skips days not in the window (a Friday evening waits for Monday)', () => {
    expect(at('2026-02-27T23:00:00.000Z', ny)).toBe('2026-03-02T14:00:00.000Z'); // Fri 18:00 EST → Mon 09:00 EST
    expect(at('2026-02-28T15:00:00.000Z', { ...ny, days: ['sat'] })).toBe('2026-02-28T15:00:00.000Z');
  });

  it('keeps 09:00 local across DST: the opening moves by an hour in UTC', () => {
    // US DST starts Sun 8 Mar 2026: Friday's 09:00 is 14:00Z, Monday's 13:00Z.
    expect(at('2026-03-06T23:00:00.000Z', ny)).toBe('2026-03-09T13:00:00.000Z');
    // and ends Sun 1 Nov 2026: Friday 30 Oct 09:00 EDT is 13:00Z, Monday 2 Nov 09:00 EST 14:00Z.
    expect(at('2026-10-30T22:00:00.000Z', ny)).toBe('2026-11-02T14:00:00.000Z');
    // Europe changes on another Sunday (29 Mar 2026).
    const berlin: CallWindow = { timezone: 'Europe/Berlin', days: weekdays, start: '09:00', end: '17:00' };
    expect(at('2026-03-27T17:00:00.000Z', berlin)).toBe('2026-03-30T07:00:00.000Z');
    expect(at('2026-03-26T17:00:00.000Z', berlin)).toBe('2026-03-27T08:00:00.000Z');
  });

  it('a wall time skipped by DST moves forward by the gap; a repeated one takes the earlier instant', () => {
    expect(new Date(zonedInstant(Date.UTC(2026, 2, 8, 2, 30), 'America/New_York')).toISOString()).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(new Date(zonedInstant(Date.UTC(2026, 10, 1, 1, 30), 'America/New_York')).toISOString()).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
    const sunday: CallWindow = { timezone: 'America/New_York', days: ['sun'], start: '02:30', end: '04:00' };
    expect(at('2026-03-08T05:00:00.000Z', sunday)).toBe('2026-03-08T07:30:00.000Z');
  });

  it('uses the recipient’s zone: the same instant is inside for one zone, outside for another', () => {
    const now = '2026-03-04T15:30:00.000Z'; // 10:30 in New York, 07:30 in Los Angeles, 00:30 Thursday in Tokyo
    expect(at(now, ny)).toBe(now);
    expect(at(now, { ...ny, timezone: 'America/Los_Angeles' })).toBe('2026-03-04T17:00:00.000Z');
    expect(at(now, { ...ny, timezone: 'Asia/Tokyo' })).toBe('2026-03-05T00:00:00.000Z'); // Thu 09:00 JST
    expect(at(now, { ...ny, timezone: 'Asia/Kolkata' })).toBe('2026-03-05T03:30:00.000Z'); // half-hour zone, 21:00 → Thu 09:00 IST
  });

  it('overnight windows belong to the day they open and stay open past midnight', () => {
    const night: CallWindow = { timezone: 'America/New_York', days: ['fri'], start: '22:00', end: '02:00' };
    expect(at('2026-03-07T05:00:00.000Z', night)).toBe('2026-03-07T05:00:00.000Z'); // Sat 00:00 EST, Friday's window
    expect(at('2026-03-07T08:00:00.000Z', night)).toBe('2026-03-14T02:00:00.000Z'); // Sat 03:00 → next Fri 22:00 EDT
    expect(at('2026-03-06T20:00:00.000Z', night)).toBe('2026-03-07T03:00:00.000Z'); // Fri 15:00 → Fri 22:00 EST
  });
});
