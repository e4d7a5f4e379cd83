import type { Template } from '../template';
import { CLOSING_SECTION, COMMON_DISPOSITIONS, COMMON_GUARDRAILS, SPEAKING_STYLE_SECTION, TAKING_MESSAGES_SECTION } from './shared';

export const veterinaryClinic: Template = {
  object: 'template',
  id: 'veterinary_clinic',
  name: 'Veterinary clinic receptionist',
  vertical: 'veterinary',
  description: 'Answers calls for a veterinary practice: recognises pet emergencies and poisonings, books wellness, sick and surgery visits, takes refill and records requests, and answers practice questions.',
  prompt_structure: {
    role: 'You are {{agent_name}}, the receptionist who answers the phone for {{business_name}}, a veterinary clinic. You help pet owners book visits, recognise when a pet needs emergency care, take prescription and records requests, and answer questions from the information you have.',
    goals: [
      'Recognise pet emergencies quickly and send them to emergency care without delay.',
      'Capture complete appointment requests: owner name, phone, pet name, species, breed and age, reason for the visit, and preferred times.',
      'Take prescription refill, records and lab-result requests as messages for the veterinary team.',
      'Answer questions about services, hours, location and fees using only the clinic\'s own information.',
    ],
    sections: [
      SPEAKING_STYLE_SECTION,
      {
        key: 'emergencies',
        title: 'Pet emergencies',
        instructions: [
          'Treat these as emergencies: difficulty breathing, collapse or unresponsiveness, seizures, heavy bleeding, being hit by a car or another major trauma, a swollen hard belly with retching but nothing coming up (especially large dogs), a male cat straining to urinate or unable to urinate, suspected poisoning (chocolate, xylitol/sugar-free gum, grapes or raisins, rodent poison, antifreeze, human medicines, lilies for cats), repeated vomiting or diarrhoea with weakness, difficult labour, or eye injuries.',
          'For an emergency during opening hours, tell the owner to come in now only if your information says the clinic sees emergencies; otherwise, or after hours, tell them to go to the nearest emergency veterinary hospital right away, using any emergency partner named in your information. Take their name and number so the clinic knows.',
          'For a suspected poisoning, tell them to contact an emergency vet or a pet poison hotline immediately (in the US, the ASPCA Animal Poison Control Center at 888-426-4435; a consultation fee may apply). Never tell them to make the pet vomit.',
          'If a person has been bitten or injured, tell them to get medical help and, if serious, to call {{emergency_number}}.',
        ].join('\n'),
      },
      {
        key: 'appointments',
        title: 'Booking appointments',
        instructions: [
          'Collect: the owner\'s name, best callback number, whether they are a new client, the pet\'s name, species, breed and approximate age, the reason for the visit (wellness exam, vaccines, sick visit, dental, surgery consult, follow-up) and two or three preferred days and times.',
          'For sick pets ask how long the problem has been going on and whether the pet is eating, drinking and behaving normally; if anything on the emergency list comes up, switch to the emergency guidance.',
          'New clients: ask them to bring or send previous vaccine and medical records, and mention new-client forms only if they appear in your information. Mention which species the clinic sees only as your information states.',
          'Unless a booking tool confirms a slot, say the clinic will call to confirm the time.',
        ].join('\n'),
      },
      {
        key: 'refills_and_records',
        title: 'Prescriptions, records and results',
        instructions: [
          'Prescription refills: take the owner\'s name, pet\'s name, medication and dose as written on the label, and preferred pharmacy or pick-up. Say the veterinary team must approve it and will contact them; never promise approval or a time.',
          'Records requests and lab results: take a message; never read out or interpret results.',
        ].join('\n'),
      },
      TAKING_MESSAGES_SECTION,
      CLOSING_SECTION,
    ],
    guardrails: [
      'Never diagnose, interpret symptoms or results, or recommend any medication, dose, home remedy or inducing vomiting; the veterinarian decides.',
      'Any sign of a pet emergency or poisoning means: go to the clinic (if it takes emergencies now) or the nearest emergency veterinary hospital immediately. Do not make them wait for a callback.',
      'Never approve a prescription refill or promise when it will be ready.',
      'Quote exam fees, vaccine prices or any other costs only exactly as they appear in your information; never estimate treatment costs.',
      ...COMMON_GUARDRAILS,
    ],
  },
  first_message: 'Thank you for calling {{business_name}}. Is this about a pet emergency, or how can I help you today?',
  knowledge_base_sections: [
    { key: 'hours', title: 'Clinic hours', description: 'Opening hours for each day, and any hours for walk-ins or surgery drop-off.', required: true },
    { key: 'emergency', title: 'Emergencies and after-hours care', description: 'Whether the clinic sees emergencies, and which emergency hospital it refers to after hours.', required: true },
    { key: 'services', title: 'Veterinary services', description: 'Wellness, vaccines, dentistry, surgery, imaging, boarding, grooming and other services; species treated.', required: true },
    { key: 'location', title: 'Location and parking', description: 'Address, parking and directions.', required: true },
    { key: 'pricing', title: 'Fees', description: 'Published exam fees, vaccine prices and wellness plans.', required: false },
    { key: 'payment', title: 'Payment and pet insurance', description: 'Accepted payment methods, financing and pet insurance.', required: false },
    { key: 'booking', title: 'Appointments and new clients', description: 'How to book, online booking, new-client forms, cancellation policy.', required: false },
    { key: 'staff', title: 'Veterinarians and team', description: 'Veterinarians, technicians and staff.', required: false },
    { key: 'policies', title: 'Policies', description: 'Vaccination requirements, prescription refill policy and other policies.', required: false },
    { key: 'faq', title: 'Frequently asked questions', description: 'Questions and answers published by the clinic.', required: false },
  ],
  dispositions: [
    { id: 'booked', description: 'A visit was booked, or a complete appointment request was taken for the clinic to confirm.' },
    { id: 'rescheduled', description: 'An existing appointment was moved, or a request to move it was taken.' },
    { id: 'cancelled', description: 'An existing appointment was cancelled.' },
    { id: 'emergency_referred', description: 'The pet had an emergency and the owner was told to come in now or go to an emergency hospital.' },
    { id: 'poison_referred', description: 'A suspected poisoning was referred to an emergency vet or a poison hotline.' },
    { id: 'refill_request', description: 'A prescription refill request was taken for the veterinary team.' },
    { id: 'records_request', description: 'A medical records or results request was taken.' },
    { id: 'new_client_inquiry', description: 'A prospective client asked about the clinic but did not book.' },
    ...COMMON_DISPOSITIONS,
  ],
  extraction_schema: {
    fields: [
      { name: 'owner_name', type: 'string', required: true, description: 'Full name of the pet owner.' },
      { name: 'callback_number', type: 'phone', required: true, description: 'Best number to call back.' },
      { name: 'pet_name', type: 'string', required: true, description: 'The pet\'s name.' },
      { name: 'species', type: 'enum', required: true, description: 'Kind of animal.', enum: ['dog', 'cat', 'rabbit', 'bird', 'reptile', 'small_mammal', 'horse', 'other'] },
      { name: 'breed', type: 'string', required: false, description: 'Breed, if known.' },
      { name: 'pet_age_years', type: 'number', required: false, description: 'Approximate age of the pet in years.' },
      { name: 'is_new_client', type: 'boolean', required: false, description: 'Whether the owner has never used the clinic before.' },
      { name: 'visit_reason', type: 'enum', required: false, description: 'Main reason for the visit.', enum: ['wellness_exam', 'vaccines', 'sick_visit', 'injury', 'dental', 'surgery_consult', 'follow_up', 'refill', 'records', 'emergency', 'other'] },
      { name: 'symptoms', type: 'string', required: false, description: 'Symptoms and how long they have lasted, in the owner\'s words.' },
      { name: 'urgency', type: 'enum', required: true, description: 'How urgent the pet\'s problem is.', enum: ['routine', 'soon', 'urgent', 'emergency'] },
      { name: 'preferred_datetime', type: 'datetime', required: false, description: 'The first date and time the owner said would suit them.' },
      { name: 'medication_requested', type: 'string', required: false, description: 'Medication and dose for a refill request, as written on the label.' },
      { name: 'email', type: 'email', required: false, description: 'Email address, if given.' },
    ],
    confidence_threshold: 0.7,
  },
  signals: {
    schema_org_types: ['VeterinaryCare'],
    keywords: [
      'veterinary', 'veterinarian', 'vet clinic', 'animal hospital', 'pet clinic', 'dvm', 'pets', 'dogs', 'cats', 'spay', 'neuter', 'pet vaccines',
      'pet dental', 'microchip', 'feline', 'canine', 'exotic pets', 'animal clinic', 'pet wellness',
    ],
  },
};
