/**
 * The number callers are told to ring in an emergency, from the business's country. Agents are
 * told to say it out loud, so a wrong default is worse than a long table; unknown countries get
 * 911 because the product's launch market is North America (see the report's open questions).
 */
const BY_COUNTRY: Record<string, string> = {
  us: '911', usa: '911', 'united states': '911', 'united states of america': '911',
  ca: '911', canada: '911',
  mx: '911', mexico: '911',
  pr: '911', 'puerto rico': '911',
  gb: '999', uk: '999', 'united kingdom': '999', 'great britain': '999', england: '999', scotland: '999', wales: '999',
  ie: '112', ireland: '112',
  au: '000', australia: '000',
  nz: '111', 'new zealand': '111',
  in: '112', india: '112',
  za: '112', 'south africa': '112',
  de: '112', germany: '112', fr: '112', france: '112', es: '112', spain: '112', it: '112', italy: '112',
  nl: '112', netherlands: '112', be: '112', belgium: '112', pt: '112', portugal: '112', at: '112', austria: '112',
  ch: '112', switzerland: '112', se: '112', sweden: '112', dk: '112', denmark: '112', no: '112', norway: '112',
  fi: '112', finland: '112', pl: '112', poland: '112',
};

export const DEFAULT_EMERGENCY_NUMBER = '911';

export function emergencyNumberFor(country: string | undefined): string {
  if (!country) return DEFAULT_EMERGENCY_NUMBER;
  return BY_COUNTRY[country.trim().toLowerCase().replace(/\./g, '')] ?? DEFAULT_EMERGENCY_NUMBER;
}
