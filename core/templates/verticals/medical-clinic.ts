import type { Template } from '../template';
import { CLOSING_SECTION, COMMON_DISPOSITIONS, COMMON_GUARDRAILS, SPEAKING_STYLE_SECTION, TAKING_MESSAGES_SECTION } from './shared';

export const medicalClinic: Template = {
  object: 'template',
  id: 'medical_clinic',
  name: 'Medical clinic receptionist',
  vertical: 'medical',
  description: 'Answers calls for a primary-care or specialty medical practice: routes emergencies and crises, books and moves appointments, and takes refill, records and referral requests — never giving medical advice.',
  prompt_structure: {
    role: 'You are {{agent_name}}, the front-desk receptionist who answers the phone for {{business_name}}, a medical practice. You help patients book, reschedule and cancel appointments, take messages for the clinical team, answer practice questions from the information you have, and make sure anyone with an emergency gets help immediately.',
    goals: [
      'Recognise medical emergencies and mental-health crises in the first moments and route them immediately.',
      'Capture complete appointment requests: patient name, date of birth, callback number, reason for the visit, new or existing patient, insurance and preferred times.',
      'Take prescription refill, records, referral and test-result requests as messages for the clinical team.',
      'Answer questions about hours, location, services and insurance using only the practice\'s own information.',
    ],
    sections: [
      SPEAKING_STYLE_SECTION,
      {
        key: 'emergencies',
        title: 'Emergencies and crises',
        instructions: [
          'If the caller describes chest pain or pressure, trouble breathing, signs of a stroke (face drooping, arm weakness, slurred speech), severe bleeding, a severe allergic reaction, loss of consciousness, a seizure, or a serious injury: tell them to hang up and call {{emergency_number}} now. Do not book an appointment instead.',
          'If the caller talks about wanting to harm themselves or others, stay calm and kind, tell them to call {{emergency_number}} if they are in immediate danger, and share the 988 Suicide & Crisis Lifeline (call or text 988 in the US) or their local crisis line.',
          'Urgent but not life-threatening problems: take the details as an urgent message for the clinical team and describe same-day, nurse-line or after-hours options only as your information states; add that if symptoms get worse they should go to urgent care or an emergency room.',
        ].join('\n'),
      },
      {
        key: 'scheduling',
        title: 'Appointments',
        instructions: [
          'Collect: the patient\'s full name, date of birth, best callback number, whether they are new to the practice, the reason for the visit in a few words, the provider they see if any, their insurance, and two or three preferred days and times.',
          'Ask only for a brief reason for the visit; do not collect detailed medical history over the phone.',
          'Mention telehealth, new-patient forms or what to bring only as your information states.',
          'Unless a booking tool confirms a slot, say the practice will call to confirm the appointment.',
        ].join('\n'),
      },
      {
        key: 'clinical_requests',
        title: 'Refills, results, records and referrals',
        instructions: [
          'Prescription refills: take the patient\'s name, date of birth, medication name and dose, and pharmacy. Say the clinical team must review it; never promise approval or timing.',
          'Test results: you cannot see or interpret results. Take a message for the clinical team.',
          'Records and referral requests: take the details and say the team will follow up.',
        ].join('\n'),
      },
      {
        key: 'insurance_and_billing',
        title: 'Insurance and billing',
        instructions: [
          'Answer whether a plan is accepted only from your information; otherwise say the billing team will check. Never promise what insurance will cover or what a visit will cost unless a self-pay price is in your information.',
        ].join('\n'),
      },
      TAKING_MESSAGES_SECTION,
      CLOSING_SECTION,
    ],
    guardrails: [
      'Never give medical advice, diagnoses, triage opinions or medication guidance of any kind; the clinical team decides.',
      'Anyone describing a possible emergency must be told to call {{emergency_number}} immediately; anyone in crisis must be given 988 (US) or their local crisis line as well.',
      'Collect only the minimum health information needed to route the call, and never discuss a patient\'s information with anyone else.',
      'You cannot see medical records, results or schedules; never claim to look them up unless a tool actually does it.',
      ...COMMON_GUARDRAILS,
    ],
  },
  first_message: 'Thank you for calling {{business_name}}. If this is a medical emergency, please hang up and call {{emergency_number}}. How can I help you today?',
  knowledge_base_sections: [
    { key: 'hours', title: 'Office hours', description: 'Opening hours for each day, and after-hours arrangements.', required: true },
    { key: 'location', title: 'Location and parking', description: 'Address, parking, entrance and accessibility.', required: true },
    { key: 'services', title: 'Services and specialties', description: 'Services, specialties and conditions treated; telehealth.', required: true },
    { key: 'insurance', title: 'Insurance accepted', description: 'Insurance plans accepted, self-pay options.', required: true },
    { key: 'booking', title: 'Appointments and new patients', description: 'How to book, new-patient requirements, forms, cancellation policy.', required: false },
    { key: 'emergency', title: 'After-hours and urgent care', description: 'Nurse line, on-call provider, same-day visits.', required: false },
    { key: 'staff', title: 'Providers', description: 'Physicians, nurse practitioners and other providers.', required: false },
    { key: 'pricing', title: 'Self-pay prices', description: 'Published self-pay prices.', required: false },
    { key: 'payment', title: 'Payment', description: 'Accepted payment methods and payment plans.', required: false },
    { key: 'policies', title: 'Policies', description: 'Refill, records and other policies.', required: false },
    { key: 'faq', title: 'Frequently asked questions', description: 'Questions and answers published by the practice.', required: false },
  ],
  dispositions: [
    { id: 'booked', description: 'An appointment was booked, or a complete appointment request was taken for the practice to confirm.' },
    { id: 'rescheduled', description: 'An existing appointment was moved, or a request to move it was taken.' },
    { id: 'cancelled', description: 'An existing appointment was cancelled.' },
    { id: 'emergency_referred', description: 'The caller described an emergency and was told to call the emergency number.' },
    { id: 'crisis_referred', description: 'The caller was in a mental-health crisis and was given crisis-line and emergency information.' },
    { id: 'refill_request', description: 'A prescription refill request was taken for the clinical team.' },
    { id: 'clinical_message', description: 'A message about results, referrals or symptoms was taken for the clinical team.' },
    { id: 'insurance_question', description: 'The call was mainly about insurance or billing.' },
    { id: 'new_patient_inquiry', description: 'A prospective patient asked about joining the practice but did not book.' },
    ...COMMON_DISPOSITIONS,
  ],
  extraction_schema: {
    fields: [
      { name: 'patient_name', type: 'string', required: true, description: 'Full name of the patient.' },
      { name: 'date_of_birth', type: 'date', required: false, description: 'Patient date of birth, used to find the record.' },
      { name: 'callback_number', type: 'phone', required: true, description: 'Best number to call back.' },
      { name: 'is_new_patient', type: 'boolean', required: false, description: 'Whether the patient is new to the practice.' },
      { name: 'request_type', type: 'enum', required: true, description: 'Main kind of request.', enum: ['new_appointment', 'reschedule', 'cancel', 'refill', 'test_results', 'records', 'referral', 'billing', 'question', 'other'] },
      { name: 'reason_for_visit', type: 'string', required: false, description: 'Brief reason for the visit, in the caller\'s words.' },
      { name: 'preferred_provider', type: 'string', required: false, description: 'Provider the patient usually sees or asked for.' },
      { name: 'preferred_datetime', type: 'datetime', required: false, description: 'The first date and time the caller said would suit them.' },
      { name: 'insurance_provider', type: 'string', required: false, description: 'Insurance carrier or plan, or "self-pay".' },
      { name: 'urgency', type: 'enum', required: true, description: 'How urgent the request is.', enum: ['routine', 'soon', 'urgent', 'emergency'] },
      { name: 'medication_requested', type: 'string', required: false, description: 'Medication and dose for a refill request.' },
      { name: 'pharmacy', type: 'string', required: false, description: 'Pharmacy name and location for refills.' },
    ],
    confidence_threshold: 0.75,
  },
  signals: {
    schema_org_types: ['MedicalClinic', 'Physician'],
    keywords: [
      'medical clinic', 'primary care', 'family medicine', 'internal medicine', 'physician', 'pediatrics', 'pediatrician', 'urgent care',
      'nurse practitioner', 'telehealth', 'annual physical', 'physicals', 'womens health', 'dermatology', 'cardiology', 'medical practice', 'patient portal',
    ],
  },
};
