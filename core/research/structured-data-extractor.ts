import { canonicalSocialUrl, isSocialProfile } from './link-extractor';
import { hoursFromSpecification, normaliseHours, parseSchemaOpeningHours } from './opening-hours-parser';
import type { FoundFacts } from './page-facts';
import type { ExtractionMethod, OpeningHours, PostalAddress } from './research-report';
import { allNodes, childNodes, text, texts, type SchemaNode } from './schema-node';

/**
 * Maps schema.org nodes (from JSON-LD or microdata) to facts. The business itself is the most
 * specific LocalBusiness/Organization node; FAQs, people and services are read both from it and
 * from standalone nodes (an FAQPage, a Person on a team page, a Service on a service page).
 */

const LOCAL_BUSINESS_TYPES = new Set([
  'LocalBusiness', 'ProfessionalService', 'Dentist', 'Physician', 'MedicalBusiness', 'MedicalClinic', 'MedicalOrganization', 'Optician', 'Pharmacy',
  'DiagnosticLab', 'Hospital', 'Chiropractor', 'Optometrist', 'Physiotherapy', 'VeterinaryCare', 'HVACBusiness', 'Plumber', 'Electrician',
  'RoofingContractor', 'HousePainter', 'Locksmith', 'GeneralContractor', 'HomeAndConstructionBusiness', 'MovingCompany', 'Restaurant',
  'FoodEstablishment', 'CafeOrCoffeeShop', 'Bakery', 'BarOrPub', 'FastFoodRestaurant', 'IceCreamShop', 'Winery', 'Brewery', 'Distillery',
  'BeautySalon', 'HairSalon', 'NailSalon', 'DaySpa', 'HealthAndBeautyBusiness', 'TattooParlor', 'RealEstateAgent', 'AutoRepair', 'AutoDealer',
  'AutomotiveBusiness', 'AutoBodyShop', 'AutoWash', 'AutoPartsStore', 'AutoRental', 'GasStation', 'MotorcycleRepair', 'MotorcycleDealer',
  'LegalService', 'Attorney', 'Notary', 'AccountingService', 'FinancialService', 'InsuranceAgency', 'BankOrCreditUnion', 'Store',
  'ExerciseGym', 'HealthClub', 'SportsActivityLocation', 'ChildCare', 'DryCleaningOrLaundry', 'EmergencyService', 'EmploymentAgency',
  'EntertainmentBusiness', 'LodgingBusiness', 'Hotel', 'Motel', 'BedAndBreakfast', 'SelfStorage', 'TravelAgency', 'AnimalShelter',
  'RecyclingCenter', 'ShoppingCenter', 'TouristInformationCenter', 'RadioStation', 'TelevisionStation', 'GovernmentOffice', 'Library',
]);
const ORGANIZATION_TYPES = new Set(['Organization', 'Corporation', 'NGO', 'EducationalOrganization', 'SportsOrganization', 'OnlineBusiness']);
/** Types named like businesses that are in fact things a business offers. */
const NOT_BUSINESS = new Set(['Service', 'FoodService', 'BroadcastService', 'CableOrSatelliteService', 'GovernmentService', 'TaxiService', 'FinancialProduct']);
const BUSINESS_SUFFIX = /(Business|Service|Store|Shop|Restaurant|Clinic|Agency|Contractor|Salon)$/;

function businessRank(node: SchemaNode): number {
  if (node.types.some((t) => NOT_BUSINESS.has(t))) return 0;
  if (node.types.some((t) => LOCAL_BUSINESS_TYPES.has(t) && t !== 'LocalBusiness')) return 3;
  if (node.types.some((t) => t === 'LocalBusiness' || BUSINESS_SUFFIX.test(t))) return 2;
  if (node.types.some((t) => ORGANIZATION_TYPES.has(t))) return 1;
  return 0;
}

function completeness(node: SchemaNode): number {
  return ['name', 'telephone', 'address', 'openingHoursSpecification', 'openingHours', 'email', 'url'].filter((p) => node.props[p]).length;
}

export function extractStructuredData(roots: SchemaNode[], method: ExtractionMethod, pageUrl: string, into: FoundFacts): void {
  const nodes = allNodes(roots);
  const businesses = nodes
    .filter((n) => businessRank(n) > 0)
    .sort((a, b) => businessRank(b) - businessRank(a) || completeness(b) - completeness(a));
  const fact = <T>(value: T, rank = 0) => ({ value, source_url: pageUrl, method, rank });

  businesses.forEach((biz, rank) => {
    for (const t of biz.types) if (!into.businessTypes.includes(t)) into.businessTypes.push(t);
    const name = text(biz, 'name') ?? text(biz, 'legalName');
    if (name) into.name.push(fact(name, rank));
    const description = text(biz, 'description');
    if (description) into.description.push(fact(description, rank));
    for (const phone of texts(biz, 'telephone')) into.telephone.push(fact(phone.replace(/^tel:/i, ''), rank));
    for (const email of texts(biz, 'email')) into.email.push(fact(email.replace(/^mailto:/i, ''), rank));
    const priceRange = text(biz, 'priceRange');
    if (priceRange) into.priceRange.push(fact(priceRange, rank));
    const address = addressOf(biz);
    if (address) into.address.push(fact(address, rank));
    const hours = hoursOf(biz);
    if (hours.length > 0) into.hours.push(fact(hours, rank));
    for (const link of texts(biz, 'sameAs')) {
      const url = safeUrl(link);
      if (url && isSocialProfile(url)) into.socialLinks.push(fact(canonicalSocialUrl(url)));
    }
    for (const url of bookingTargets(biz)) into.bookingUrl.push(fact(url, rank - 10));
    const payment = texts(biz, 'paymentAccepted');
    if (payment.length > 0) into.policies.push(fact(`Payment accepted: ${payment.join(', ')}`));
    for (const person of childNodes(biz, 'employee', 'employees', 'member', 'members', 'founder', 'founders')) addPerson(person, into, fact);
    for (const service of offeredServices(biz)) into.services.push(fact(service));
  });

  for (const node of nodes) {
    if (node.types.includes('Question')) {
      const question = text(node, 'name') ?? text(node, 'text');
      const answerNode = childNodes(node, 'acceptedAnswer', 'suggestedAnswer')[0];
      const answer = answerNode ? (text(answerNode, 'text') ?? text(answerNode, 'name')) : undefined;
      if (question && answer) into.faqs.push(fact({ question: stripTags(question), answer: stripTags(answer) }));
    }
    if (node.types.includes('Person') && text(node, 'jobTitle')) addPerson(node, into, fact);
    if (!businesses.includes(node) && node.types.some((t) => t === 'Service' || t === 'MedicalProcedure' || t === 'MenuItem')) {
      const name = text(node, 'name') ?? text(node, 'serviceType');
      if (name) into.services.push(fact(name));
    }
  }
}

function addPerson(person: SchemaNode, into: FoundFacts, fact: <T>(value: T, rank?: number) => { value: T; source_url: string; method: ExtractionMethod; rank: number }): void {
  if (!person.types.includes('Person') && person.types.length > 0) return;
  const name = text(person, 'name') ?? [text(person, 'givenName'), text(person, 'familyName')].filter(Boolean).join(' ');
  if (!name) return;
  const role = text(person, 'jobTitle') ?? text(person, 'roleName');
  into.staff.push(fact(role ? { name, role } : { name }));
}

function addressOf(biz: SchemaNode): PostalAddress | undefined {
  const [first] = biz.props.address ?? [];
  if (!first) return undefined;
  if (typeof first === 'string') return first.trim() ? { formatted: first.replace(/\s+/g, ' ').trim() } : undefined;
  const street = texts(first, 'streetAddress').join(', ') || undefined;
  const city = text(first, 'addressLocality');
  const region = text(first, 'addressRegion');
  const postal = text(first, 'postalCode');
  const country = text(first, 'addressCountry');
  const formatted = [street, city, [region, postal].filter(Boolean).join(' '), country].filter((p) => p && p.length > 0).join(', ');
  if (!formatted) return undefined;
  const address: PostalAddress = { formatted };
  if (street) address.street = street;
  if (city) address.city = city;
  if (region) address.region = region;
  if (postal) address.postal_code = postal;
  if (country) address.country = country;
  return address;
}

function hoursOf(biz: SchemaNode): OpeningHours[] {
  const fromSpecs = childNodes(biz, 'openingHoursSpecification').flatMap((spec) => {
    // Dated specifications are holiday or seasonal exceptions, not the regular week.
    if (spec.props.validFrom && spec.props.validThrough) return [];
    return hoursFromSpecification({ days: texts(spec, 'dayOfWeek'), opens: text(spec, 'opens'), closes: text(spec, 'closes') });
  });
  if (fromSpecs.length > 0) return normaliseHours(fromSpecs);
  return normaliseHours(texts(biz, 'openingHours').flatMap(parseSchemaOpeningHours));
}

function bookingTargets(biz: SchemaNode): string[] {
  const urls: string[] = [];
  for (const action of childNodes(biz, 'potentialAction')) {
    if (!action.types.some((t) => /^(Reserve|Schedule|Order|Book)/.test(t))) continue;
    for (const target of action.props.target ?? []) {
      const url = typeof target === 'string' ? target : (text(target, 'urlTemplate') ?? text(target, 'url'));
      if (url && safeUrl(url)) urls.push(url);
    }
  }
  for (const value of texts(biz, 'acceptsReservations')) if (safeUrl(value)) urls.push(value);
  return urls;
}

/** hasOfferCatalog / makesOffer / availableService / hasMenu, however deeply the site nested them. */
function offeredServices(biz: SchemaNode): string[] {
  const names: string[] = [];
  const seen = new Set<SchemaNode>();
  const visit = (node: SchemaNode, depth: number) => {
    if (seen.has(node) || depth > 5) return;
    seen.add(node);
    const isContainer = node.types.some((t) => /^(OfferCatalog|ItemList|Menu|MenuSection)$/.test(t));
    if (!isContainer && depth > 0) {
      const offered = childNodes(node, 'itemOffered')[0];
      const name = offered ? text(offered, 'name') : text(node, 'name');
      if (name) names.push(name);
      if (offered) return;
    }
    for (const child of childNodes(node, 'itemListElement', 'item', 'hasMenuSection', 'hasMenuItem', 'hasPart')) visit(child, depth + 1);
  };
  for (const root of childNodes(biz, 'hasOfferCatalog', 'makesOffer', 'availableService', 'hasMenu', 'menu')) visit(root, 1);
  return names;
}

function safeUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * FAQ answers in JSON-LD often carry HTML. `<[^<>]*>` rather than `<[^>]*>`: the latter re-reads
 * the rest of the text from every "<" that is never closed, which a run of "<" turns quadratic.
 */
function stripTags(html: string): string {
  return html
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .trim();
}
