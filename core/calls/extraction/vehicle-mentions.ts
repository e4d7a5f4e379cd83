import { isNumeric, type Token } from './transcript-tokens';

/** "a 2015 Honda Civic", "my Ford F-150", "twenty eighteen Camry": year, make and model as said. */
const MAKES: Record<string, string> = {
  toyota: 'Toyota', honda: 'Honda', ford: 'Ford', chevy: 'Chevrolet', chevrolet: 'Chevrolet', nissan: 'Nissan', hyundai: 'Hyundai', kia: 'Kia', subaru: 'Subaru',
  mazda: 'Mazda', volkswagen: 'Volkswagen', vw: 'Volkswagen', bmw: 'BMW', mercedes: 'Mercedes-Benz', audi: 'Audi', lexus: 'Lexus', acura: 'Acura', infiniti: 'Infiniti',
  jeep: 'Jeep', dodge: 'Dodge', ram: 'Ram', gmc: 'GMC', buick: 'Buick', cadillac: 'Cadillac', lincoln: 'Lincoln', chrysler: 'Chrysler', tesla: 'Tesla', volvo: 'Volvo',
  mitsubishi: 'Mitsubishi', mini: 'Mini', porsche: 'Porsche', jaguar: 'Jaguar', land: 'Land Rover', genesis: 'Genesis', fiat: 'Fiat', pontiac: 'Pontiac', saturn: 'Saturn',
};
const MODELS: Record<string, string> = {
  camry: 'Toyota', corolla: 'Toyota', rav4: 'Toyota', tacoma: 'Toyota', tundra: 'Toyota', prius: 'Toyota', highlander: 'Toyota', civic: 'Honda', accord: 'Honda',
  crv: 'Honda', pilot: 'Honda', odyssey: 'Honda', f150: 'Ford', escape: 'Ford', explorer: 'Ford', focus: 'Ford', fusion: 'Ford', mustang: 'Ford', silverado: 'Chevrolet',
  malibu: 'Chevrolet', equinox: 'Chevrolet', tahoe: 'Chevrolet', altima: 'Nissan', sentra: 'Nissan', rogue: 'Nissan', elantra: 'Hyundai', sonata: 'Hyundai',
  outback: 'Subaru', forester: 'Subaru', impreza: 'Subaru', jetta: 'Volkswagen', wrangler: 'Jeep', cherokee: 'Jeep',
};

export interface VehicleMention {
  year: { value: number; first: number; last: number } | null;
  make: { value: string; first: number; last: number } | null;
  model: { value: string; first: number; last: number } | null;
}

function spokenYear(tokens: readonly Token[], i: number): { value: number; last: number } | null {
  const t = tokens[i];
  if (isNumeric(t) && /^(19[5-9][0-9]|20[0-4][0-9])$/.test(t.norm)) return { value: Number(t.norm), last: i };
  // "twenty eighteen", "two thousand twelve"
  const TEENS: Record<string, number> = { ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19 };
  const UNITS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9 };
  if (t.norm === 'twenty') {
    const n = tokens[i + 1]?.norm ?? '';
    if (n in TEENS) return { value: 2000 + TEENS[n], last: i + 1 };
    if (n === 'twenty') {
      const u = tokens[i + 2]?.norm ?? '';
      return u in UNITS ? { value: 2020 + UNITS[u], last: i + 2 } : { value: 2020, last: i + 1 };
    }
  }
  if (t.norm === 'two' && tokens[i + 1]?.norm === 'thousand') {
    const n = tokens[i + 2]?.norm ?? '';
    if (n in TEENS) return { value: 2000 + TEENS[n], last: i + 2 };
    if (n in UNITS) return { value: 2000 + UNITS[n], last: i + 2 };
  }
  return null;
}

export function vehicleMention(tokens: readonly Token[]): VehicleMention | null {
  for (let i = 0; i < tokens.length; i++) {
    const n = tokens[i].norm.replace(/-/g, '');
    const makeName = MAKES[n];
    const modelMake = MODELS[n];
    if (!makeName && !modelMake) continue;
    if (n === 'land' && tokens[i + 1]?.norm !== 'rover') continue;
    if (n === 'mini' && tokens[i].text[0] !== 'M') continue;
    const result: VehicleMention = { year: null, make: null, model: null };
    let modelAt = i;
    if (makeName) {
      result.make = { value: makeName, first: i, last: n === 'land' ? i + 1 : i };
      modelAt = n === 'land' ? i + 2 : i + 1;
      const next = tokens[modelAt];
      if (next && (MODELS[next.norm.replace(/-/g, '')] || (/^[A-Z]/.test(next.text) && !['I', 'It'].includes(next.text)) || /^[a-z]?[0-9]{2,4}$/i.test(next.norm))) {
        let last = modelAt;
        let text = next.text;
        // "F 150", "CR V": a letter then digits or a letter is one model name
        const after = tokens[modelAt + 1];
        if (after && next.text.length <= 2 && /^([0-9]{2,4}|[a-z])$/i.test(after.norm) && after.gap === ' ') {
          text = `${next.text}-${after.text}`;
          last = modelAt + 1;
        }
        result.model = { value: text.replace(/[.,]$/, ''), first: modelAt, last };
      }
    } else {
      result.make = { value: modelMake, first: i, last: i };
      result.model = { value: tokens[i].text, first: i, last: i };
    }
    for (let back = Math.max(0, i - 3); back < i; back++) {
      const y = spokenYear(tokens, back);
      if (y && y.last === i - 1) result.year = { value: y.value, first: back, last: y.last };
    }
    return result;
  }
  return null;
}
