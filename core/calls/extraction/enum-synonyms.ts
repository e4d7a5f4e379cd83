import type { ExtractionField } from '../../templates/template';
import { findPhrase, negatedBefore, phrase, type Phrase, type Token } from './transcript-tokens';

/**
 * How callers say an enum value. Every value is recognised by its own words ("oil_change" →
 * "oil change"); common values have curated phrasings on top, since nobody says "no_heat" —
 * they say "the furnace isn't working". The table is keyed by value, so any template using the
 * value gets them; a "*" ending matches any word starting so ("leak*" → "leaking").
 */
const SYNONYMS: Record<string, string[]> = {
  // hvac
  no_heat: ['no heat', 'furnace isnt working', 'furnace is not working', 'furnace stopped', 'furnace died', 'furnace quit', 'furnace wont', 'heater died', 'heater isnt working', 'heat isnt working', 'heat is out', 'heat went out', 'no heating', 'heats not working', 'heat stopped', 'not heating', 'blowing cold air', 'house is freezing', 'freezing in here', 'heat wont come on', 'boiler stopped', 'boiler isnt working'],
  no_cooling: ['no cooling', 'no ac', 'no a c', 'ac isnt working', 'ac stopped', 'ac died', 'ac is out', 'air conditioner isnt working', 'air conditioning stopped', 'air conditioning isnt working', 'not cooling', 'blowing warm air', 'blowing hot air', 'ac wont', 'air isnt cold'],
  poor_performance: ['not keeping up', 'isnt keeping up', 'weak airflow', 'some rooms', 'takes forever to heat', 'takes forever to cool', 'not as warm', 'short cycling', 'running constantly', 'runs constantly'],
  noise_or_smell: ['weird noise', 'strange noise', 'loud noise', 'banging', 'rattling', 'squealing', 'grinding noise', 'burning smell', 'musty smell', 'making noise', 'making a noise', 'clanking'],
  water_leak: ['water leak*', 'leaking water', 'water under', 'puddle', 'dripping', 'condensate'],
  thermostat: ['thermostat'],
  maintenance: ['tune up', 'tuneup', 'maintenance', 'annual service', 'check up', 'checkup', 'service it', 'servicing', 'scheduled service', 'routine service', 'mile service'],
  new_system_estimate: ['new system', 'replace the furnace', 'replace my furnace', 'replacement', 'new furnace', 'new ac', 'new air conditioner', 'quote for a new', 'estimate for a new', 'install a new'],
  indoor_air_quality: ['air quality', 'humidifier', 'dehumidifier', 'air purifier', 'duct cleaning', 'allergies'],
  gas_smell: ['smell gas', 'gas smell', 'smells like gas', 'smelling gas', 'rotten eggs'],
  co_alarm: ['carbon monoxide', 'co alarm', 'co detector', 'c o alarm', 'c o detector', 'monoxide'],
  // equipment
  furnace: ['furnace'],
  heat_pump: ['heat pump'],
  central_air: ['central air', 'central ac', 'central a c', 'air conditioner', 'ac unit', 'condenser'],
  boiler: ['boiler', 'radiator*'],
  ductless_mini_split: ['mini split', 'minisplit', 'ductless'],
  rooftop_unit: ['rooftop'],
  // urgency
  emergency: ['emergency', 'right away', 'right now', 'immediately', 'asap', 'as soon as possible', 'urgent', 'cant wait', 'bleeding', 'unbearable', 'severe pain', 'knocked out', 'cant breathe'],
  urgent: ['urgent', 'today if', 'as soon as possible', 'asap', 'soon as you can', 'really bad', 'pretty bad', 'in a lot of pain', 'lot of pain', 'a lot of pain', 'pain', 'hurts', 'swollen', 'swelling', 'broke a tooth', 'broken tooth', 'chipped'],
  soon: ['this week', 'next few days', 'soon', 'sooner the better', 'couple of days'],
  routine: ['no rush', 'not urgent', 'no hurry', 'whenever', 'not in a hurry', 'routine', 'regular', 'any time', 'anytime', 'flexible'],
  time_sensitive: ['deadline', 'court date', 'next week', 'coming up', 'soon', 'by friday', 'time sensitive'],
  // dental / medical / vet
  cleaning: ['cleaning', 'clean*', 'hygien*'],
  exam: ['exam', 'check up', 'checkup', 'checkup'],
  filling: ['filling', 'cavity', 'cavities'],
  crown: ['crown'],
  root_canal: ['root canal'],
  extraction: ['extraction', 'pulled', 'wisdom tooth', 'wisdom teeth', 'take out a tooth'],
  whitening: ['whitening', 'whiter', 'whiten'],
  orthodontic_consult: ['braces', 'invisalign', 'aligners', 'orthodont*'],
  implant_consult: ['implant*'],
  wellness_exam: ['checkup', 'check up', 'wellness', 'annual exam', 'yearly exam', 'physical'],
  vaccines: ['vaccin*', 'shots', 'booster', 'rabies'],
  sick_visit: ['sick', 'vomit*', 'throwing up', 'diarrhea', 'not eating', 'lethargic', 'limping', 'coughing', 'scratching'],
  injury: ['injur*', 'hurt his', 'hurt her', 'cut his', 'cut her', 'hit by', 'bit by', 'broken leg'],
  dental: ['teeth cleaning', 'bad breath', 'dental'],
  surgery_consult: ['surgery', 'spay', 'neuter', 'lump removed'],
  follow_up: ['follow up', 'followup', 'recheck', 're check'],
  refill: ['refill', 'more of his', 'more of her', 'ran out of', 'running out of', 'renew my prescription', 'prescription refill'],
  records: ['records', 'medical records', 'vaccine records', 'copy of'],
  test_results: ['test results', 'lab results', 'results', 'blood work', 'bloodwork'],
  referral: ['referral', 'refer me', 'specialist'],
  billing: ['bill', 'billing', 'invoice', 'balance', 'charge on', 'payment'],
  // species
  dog: ['dog', 'puppy', 'pup', 'lab', 'labrador', 'retriever', 'terrier', 'poodle', 'shepherd', 'beagle', 'bulldog', 'doodle', 'husky', 'chihuahua', 'dachshund'],
  cat: ['cat', 'kitten', 'kitty', 'tabby', 'siamese'],
  rabbit: ['rabbit', 'bunny'],
  bird: ['bird', 'parrot', 'parakeet', 'budgie', 'cockatiel'],
  reptile: ['lizard', 'snake', 'turtle', 'tortoise', 'gecko', 'iguana', 'bearded dragon'],
  small_mammal: ['hamster', 'guinea pig', 'ferret', 'gerbil', 'rat', 'mouse', 'chinchilla'],
  horse: ['horse', 'pony', 'mare', 'foal'],
  // plumbing
  leak: ['leak*', 'dripping', 'drip*', 'water coming'],
  burst_pipe: ['burst pipe', 'pipe burst', 'pipe broke', 'broken pipe', 'pipe busted', 'busted pipe', 'water everywhere', 'spraying', 'flooding'],
  clogged_drain: ['clog*', 'drain is backed', 'slow drain', 'wont drain', 'not draining', 'backed up sink', 'sink is backed'],
  toilet: ['toilet'],
  sewer_backup: ['sewer', 'sewage', 'backing up into'],
  no_hot_water: ['no hot water', 'hot water is out', 'water is cold', 'only cold water', 'water heater isnt', 'water heater stopped', 'water heater died', 'water heater is leaking'],
  water_heater_install: ['new water heater', 'replace the water heater', 'replace my water heater', 'tankless', 'install a water heater'],
  low_pressure: ['low pressure', 'water pressure', 'pressure is low', 'trickle'],
  gas_line: ['gas line', 'gas pipe'],
  fixture_install: ['install a faucet', 'new faucet', 'install a sink', 'new sink', 'install a toilet', 'new toilet', 'garbage disposal', 'dishwasher hookup', 'fixture'],
  inspection: ['inspection', 'inspect', 'camera', 'state inspection'],
  // auto repair
  oil_change: ['oil change', 'change the oil', 'change my oil', 'oil changed'],
  brakes: ['brake*', 'squeal* when i stop', 'grinding when i stop'],
  tires: ['tire*', 'tyre*', 'flat', 'rotation', 'alignment'],
  diagnostic: ['diagnos*', 'figure out what', 'take a look', 'something is wrong', 'weird noise'],
  check_engine_light: ['check engine', 'engine light'],
  ac_heating: ['ac isnt blowing', 'ac in the car', 'heater in the car', 'ac is blowing hot', 'air conditioning in my car'],
  electrical: ['battery', 'wont start', 'alternator', 'electrical', 'headlight', 'starter'],
  transmission: ['transmission', 'shifting', 'slipping gears'],
  engine: ['engine', 'misfir*', 'overheat*', 'stall*'],
  suspension_steering: ['suspension', 'steering', 'shocks', 'struts', 'clunk*'],
  body_work: ['dent', 'body work', 'bodywork', 'bumper', 'scratch', 'fender bender', 'collision'],
  // real estate
  buyer: ['buy', 'buying', 'purchase', 'looking for a house', 'looking for a home', 'first home'],
  seller: ['sell', 'selling', 'list my', 'listing my', 'put my house on the market', 'what my house is worth', 'what my home is worth'],
  buyer_and_seller: ['buy and sell', 'sell and buy', 'selling and buying', 'buying and selling'],
  renter: ['rent', 'renting', 'rental', 'lease', 'apartment for'],
  landlord: ['landlord', 'rent out', 'rent my', 'tenants for'],
  investor: ['invest*', 'rental property', 'flip'],
  just_browsing: ['just browsing', 'just looking', 'no timeline', 'not in a hurry', 'someday'],
  immediately: ['immediately', 'right away', 'asap', 'as soon as possible', 'this month'],
  within_3_months: ['next few months', 'couple of months', 'couple months', 'within three months', 'in three months', 'by summer', 'this spring'],
  within_6_months: ['six months', 'half a year', 'by the end of the year', 'this fall'],
  within_a_year: ['within a year', 'next year', 'in a year', 'twelve months'],
  single_family: ['single family', 'house', 'detached'],
  condo: ['condo', 'condominium', 'apartment'],
  townhouse: ['townhouse', 'townhome', 'row house'],
  multi_family: ['duplex', 'triplex', 'fourplex', 'multi family', 'multifamily'],
  land: ['land', 'lot', 'acre*'],
  // property
  residential: ['my house', 'my home', 'our house', 'our home', 'residential', 'my apartment', 'my condo', 'house', 'home'],
  commercial: ['commercial', 'my restaurant', 'my store', 'my shop', 'our office', 'the office', 'our building', 'business', 'warehouse'],
  // restaurant
  new_reservation: ['reservation', 'reserve', 'book a table', 'table for', 'get a table'],
  change_reservation: ['change my reservation', 'change the reservation', 'move my reservation', 'move the reservation', 'add two more', 'add a person', 'change the time'],
  cancel_reservation: ['cancel my reservation', 'cancel the reservation', 'cancel our reservation', 'cancel our table'],
  large_party_or_event: ['private event', 'private room', 'large party', 'rehearsal dinner', 'catering', 'buy out', 'buyout', 'group of twenty', 'party of twenty'],
  takeout: ['takeout', 'take out', 'to go', 'pick up an order', 'delivery', 'order food'],
  birthday: ['birthday', 'bday'],
  anniversary: ['anniversary'],
  business: ['business dinner', 'business lunch', 'client dinner', 'work dinner', 'clients'],
  date_night: ['date night', 'romantic'],
  celebration: ['celebrat*', 'graduation', 'promotion', 'engagement', 'retirement'],
  // salon
  haircut: ['haircut', 'hair cut', 'trim', 'cut and', 'cut my hair', 'cut'],
  color: ['color', 'colour', 'highlights', 'balayage', 'roots', 'dye', 'blonde', 'lowlights', 'toner'],
  styling: ['blowout', 'blow out', 'updo', 'styling', 'style'],
  treatment: ['keratin', 'treatment', 'deep condition*', 'olaplex'],
  extensions: ['extensions'],
  nails: ['manicure', 'pedicure', 'mani', 'pedi', 'gel nails', 'nails', 'acrylics'],
  lashes_brows: ['lash*', 'brow*'],
  waxing: ['wax*'],
  facial: ['facial'],
  massage: ['massage'],
  makeup: ['makeup', 'make up'],
  bridal: ['bridal', 'wedding', 'bride', 'bridesmaids'],
  // generic request types
  new_booking: ['book', 'booking', 'appointment', 'schedule', 'make an appointment', 'come in', 'get in'],
  new_appointment: ['book', 'appointment', 'schedule', 'make an appointment', 'come in', 'get in', 'be seen', 'see the doctor'],
  reschedule: ['reschedule', 'move my appointment', 'change my appointment', 'push my appointment', 'different day', 'different time'],
  cancel: ['cancel'],
  question: ['question', 'wondering', 'do you', 'how much', 'what are your', 'are you open'],
  // caller types (legal)
  prospective_client: ['need a lawyer', 'need an attorney', 'looking for a lawyer', 'looking for an attorney', 'consultation', 'hire', 'represent me', 'free consult'],
  existing_client: ['my case', 'my attorney', 'my lawyer is', 'existing client', 'current client', 'case number', 'you are handling', 'youre handling'],
  opposing_counsel: ['opposing counsel', 'counsel for', 'representing the', 'on behalf of the defendant', 'on behalf of the plaintiff'],
  court: ['clerk of', 'court clerk', 'calling from the court', 'superior court', 'district court', 'county court'],
  other_professional: ['paralegal from', 'calling from a firm', 'insurance adjuster', 'adjuster'],
  // legal matter types
  personal_injury: ['accident', 'injur*', 'hurt', 'slip and fall', 'slipped', 'rear ended', 'rear-ended', 'hit my car', 'dog bite', 'whiplash', 'malpractice'],
  family: ['divorce', 'custody', 'child support', 'alimony', 'separation', 'visitation', 'adoption'],
  criminal_defense: ['arrested', 'charged', 'dui', 'dwi', 'criminal', 'misdemeanor', 'felony', 'warrant', 'probation'],
  estate_planning: ['will', 'trust', 'power of attorney', 'estate plan*', 'living will'],
  probate: ['probate', 'passed away', 'estate of', 'executor', 'inheritance'],
  employment: ['fired', 'wrongful termination', 'discriminat*', 'harass*', 'my employer', 'overtime', 'wages', 'let go'],
  immigration: ['visa', 'green card', 'immigration', 'deport*', 'citizenship', 'asylum'],
  real_estate: ['closing', 'title', 'easement', 'property line', 'real estate'],
  bankruptcy: ['bankruptcy', 'chapter 7', 'chapter seven', 'chapter 13', 'chapter thirteen', 'debt', 'creditors', 'foreclosure'],
  landlord_tenant: ['eviction', 'evict*', 'my landlord', 'security deposit', 'lease'],
  intellectual_property: ['trademark', 'patent', 'copyright'],
  civil_litigation: ['sue', 'sued', 'lawsuit', 'small claims', 'breach of contract'],
  // wait or drop off
  wait: ['wait for it', 'ill wait', 'i will wait', 'wait there', 'wait while'],
  drop_off: ['drop it off', 'drop off', 'leave it', 'drop the car', 'leave the car'],
  undecided: ['not sure if ill wait', 'not sure yet', 'havent decided'],
};

interface CompiledValue {
  value: string;
  phrases: { words: Phrase; curated: boolean }[];
}

const compiled = new Map<string, CompiledValue[]>();

function compile(field: ExtractionField): CompiledValue[] {
  const key = `${field.name}\u0000${(field.enum ?? []).join(',')}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const values = (field.enum ?? []).filter((v) => v !== 'other' && v !== 'none' && v !== 'unknown').map((value) => ({
    value,
    phrases: [{ words: phrase(value.replace(/_/g, ' ')), curated: false }, ...(SYNONYMS[value] ?? []).map((s) => ({ words: phrase(s), curated: true }))],
  }));
  compiled.set(key, values);
  return values;
}

export interface EnumMention {
  value: string;
  /** Token index range of the matched words. */
  first: number;
  last: number;
  /** Words of more than one token (or the value's own name) are less likely to be a coincidence. */
  strength: number;
}

/** Every enum value of `field` the caller's words name, negated phrasings ("not an emergency") excluded. */
export function enumMentions(field: ExtractionField, tokens: readonly Token[]): EnumMention[] {
  const found: EnumMention[] = [];
  for (const v of compile(field)) {
    let best: EnumMention | null = null;
    for (const p of v.phrases) {
      for (const at of findPhrase(tokens, p.words)) {
        if (negatedBefore(tokens, at) && !p.words.some((w) => w === 'no' || w === 'not' || w.endsWith('nt'))) continue;
        const strength = (p.words.length > 1 ? 1 : 0.7) + (p.curated ? 0 : 0.2);
        if (!best || strength > best.strength) best = { value: v.value, first: at, last: at + p.words.length - 1, strength };
      }
    }
    if (best) found.push(best);
  }
  // "check engine light" names one value; the "engine" inside it is not a second one
  return found.filter((m) => !found.some((o) => o !== m && o.first <= m.first && o.last >= m.last && o.last - o.first > m.last - m.first));
}
