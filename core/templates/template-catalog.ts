import type { Template } from './template';
import { templateProblems } from './template-validator';
import { autoRepair } from './verticals/auto-repair';
import { dentalReceptionist } from './verticals/dental-receptionist';
import { hvacDispatch } from './verticals/hvac-dispatch';
import { legalIntake } from './verticals/legal-intake';
import { medicalClinic } from './verticals/medical-clinic';
import { plumbingDispatch } from './verticals/plumbing-dispatch';
import { realEstateLeads } from './verticals/real-estate-leads';
import { restaurantReservations } from './verticals/restaurant-reservations';
import { salonBooking } from './verticals/salon-booking';
import { veterinaryClinic } from './verticals/veterinary-clinic';

/**
 * The built-in templates, in the order clients see them. Each schema.org type should be listed by
 * one template only: the suggester treats a type match as near-certain evidence for that template.
 */
export const TEMPLATE_IDS = [
  'dental_receptionist',
  'hvac_dispatch',
  'legal_intake',
  'restaurant_reservations',
  'salon_booking',
  'veterinary_clinic',
  'real_estate_leads',
  'auto_repair',
  'plumbing_dispatch',
  'medical_clinic',
] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

const DEFINITIONS: Record<TemplateId, Template> = {
  dental_receptionist: dentalReceptionist,
  hvac_dispatch: hvacDispatch,
  legal_intake: legalIntake,
  restaurant_reservations: restaurantReservations,
  salon_booking: salonBooking,
  veterinary_clinic: veterinaryClinic,
  real_estate_leads: realEstateLeads,
  auto_repair: autoRepair,
  plumbing_dispatch: plumbingDispatch,
  medical_clinic: medicalClinic,
};

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Checked and frozen once: templates are shared by every request, so one caller must not be able to edit another's. */
const CATALOG: readonly Template[] = TEMPLATE_IDS.map((id) => {
  const template = DEFINITIONS[id];
  const problems = template.id === id ? templateProblems(template) : [`registered as "${id}" but its id is "${template.id}"`];
  if (problems.length > 0) throw new Error(`template ${id} is invalid: ${problems.join('; ')}`);
  return deepFreeze(template);
});
const BY_ID = new Map<string, Template>(CATALOG.map((t) => [t.id, t]));

export function listTemplates(): readonly Template[] {
  return CATALOG;
}

export function getTemplate(id: string): Template | undefined {
  return BY_ID.get(id);
}

export function isTemplateId(id: string): id is TemplateId {
  return BY_ID.has(id);
}
