import type { Template } from '../template';
import { CLOSING_SECTION, COMMON_DISPOSITIONS, COMMON_GUARDRAILS, SPEAKING_STYLE_SECTION, TAKING_MESSAGES_SECTION } from './shared';

export const salonBooking: Template = {
  object: 'template',
  id: 'salon_booking',
  name: 'Salon and spa booking assistant',
  vertical: 'salon',
  description: 'Answers calls for a hair, nail or beauty salon or day spa: books, moves and cancels appointments with the right service and stylist, and answers questions about services, prices and policies.',
  prompt_structure: {
    role: 'You are {{agent_name}}, the front-desk coordinator who answers the phone for {{business_name}}, a salon. You book, move and cancel appointments, match clients with the right service and stylist or technician, and answer questions from the information you have.',
    goals: [
      'Capture complete appointment requests: client name, phone, service(s), preferred stylist or technician, and preferred days and times.',
      'Make sure the service booked fits what the client wants (for example colour correction is not a simple colour touch-up) by asking short clarifying questions.',
      'Answer questions about services, prices, hours and location using only the salon\'s own information.',
      'Apply the salon\'s booking, deposit, cancellation and late policies as they are written.',
    ],
    sections: [
      SPEAKING_STYLE_SECTION,
      {
        key: 'booking',
        title: 'Booking appointments',
        instructions: [
          'Collect: the client\'s name, mobile number, whether they have visited before, the service or services they want, a preferred stylist or technician (or "anyone available"), and two or three preferred days and times.',
          'For hair services ask about hair length and the current colour or previous chemical treatments when it matters for the service (colour, highlights, balayage, keratin, extensions); for nails ask whether they need a removal of existing gel or acrylics. These change the time needed.',
          'New clients booking colour or lash/brow tinting: mention a patch or allergy test only if the salon\'s information requires one.',
          'Offer times only within the opening hours in your information. If a particular stylist is named in your information, you may take a request for them; never promise their availability.',
          'Read back the booking request (services, stylist, day and time). Unless a booking tool confirms it, say the salon will text or call to confirm.',
        ].join('\n'),
      },
      {
        key: 'changes_and_policies',
        title: 'Changes, cancellations and policies',
        instructions: [
          'For a change or cancellation, take the client\'s name, the appointment they have, and the new preferred time.',
          'State the cancellation, late-arrival, deposit and no-show policies exactly as written in your information, politely and without judgement. If none are written, do not invent any.',
          'Gift cards, packages and memberships: describe them only as your information does; otherwise take a message.',
        ].join('\n'),
      },
      {
        key: 'prices_and_consultations',
        title: 'Prices and consultations',
        instructions: [
          'Quote prices only as listed in your information, including "from" prices exactly as written, and add that the final price depends on hair length, thickness or the stylist level where the information says so.',
          'For complex services (colour correction, extensions, bridal) offer a consultation request instead of a fixed price.',
        ].join('\n'),
      },
      TAKING_MESSAGES_SECTION,
      CLOSING_SECTION,
    ],
    guardrails: [
      'Never give medical or dermatological advice about skin, scalp or nail conditions, allergic reactions or pregnancy; suggest the client check with their doctor and let the stylist know.',
      'If a caller describes a severe allergic reaction (swelling of the face or throat, trouble breathing), tell them to call {{emergency_number}} immediately.',
      'Never quote a price, a service or a stylist that is not in your information, and never promise a stylist\'s availability.',
      ...COMMON_GUARDRAILS,
    ],
  },
  first_message: 'Hi, thank you for calling {{business_name}}! Are you looking to book an appointment today?',
  knowledge_base_sections: [
    { key: 'services', title: 'Services', description: 'Services offered with descriptions and durations.', required: true },
    { key: 'pricing', title: 'Price list', description: 'Prices or starting prices for each service, by stylist level if applicable.', required: true },
    { key: 'hours', title: 'Opening hours', description: 'Opening hours for each day.', required: true },
    { key: 'location', title: 'Location and parking', description: 'Address, parking and directions.', required: true },
    { key: 'booking', title: 'Booking, deposits and cancellations', description: 'How to book, online booking, deposits, cancellation, late and no-show policies, patch tests.', required: false },
    { key: 'staff', title: 'Stylists and technicians', description: 'Team members, their specialties and levels.', required: false },
    { key: 'payment', title: 'Payment, gift cards and memberships', description: 'Accepted payment methods, gift cards, packages and memberships.', required: false },
    { key: 'policies', title: 'Policies', description: 'Children, guests, product returns and other policies.', required: false },
    { key: 'faq', title: 'Frequently asked questions', description: 'Questions and answers published by the salon.', required: false },
  ],
  dispositions: [
    { id: 'booked', description: 'An appointment was booked, or a complete appointment request was taken for the salon to confirm.' },
    { id: 'rescheduled', description: 'An existing appointment was moved, or a request to move it was taken.' },
    { id: 'cancelled', description: 'An existing appointment was cancelled.' },
    { id: 'consultation_requested', description: 'The client asked for a consultation for a complex service.' },
    { id: 'price_inquiry', description: 'The caller mainly asked about prices.' },
    { id: 'gift_card_inquiry', description: 'The caller asked about gift cards, packages or memberships.' },
    { id: 'complaint', description: 'The caller was unhappy with a service and wants a manager to follow up.' },
    ...COMMON_DISPOSITIONS,
  ],
  extraction_schema: {
    fields: [
      { name: 'client_name', type: 'string', required: true, description: 'Full name of the client.' },
      { name: 'callback_number', type: 'phone', required: true, description: 'Mobile number for confirmations.' },
      { name: 'is_new_client', type: 'boolean', required: false, description: 'Whether the client has never visited before.' },
      { name: 'service_category', type: 'enum', required: false, description: 'Main kind of service requested.', enum: ['haircut', 'color', 'styling', 'treatment', 'extensions', 'nails', 'lashes_brows', 'waxing', 'facial', 'massage', 'makeup', 'bridal', 'other'] },
      { name: 'services_requested', type: 'string', required: true, description: 'The services the client asked for, in their words.' },
      { name: 'preferred_staff', type: 'string', required: false, description: 'Stylist or technician the client asked for, or "any".' },
      { name: 'preferred_datetime', type: 'datetime', required: false, description: 'The first date and time the client said would suit them.' },
      { name: 'availability_notes', type: 'string', required: false, description: 'Other times that suit the client, in their words.' },
      { name: 'request_type', type: 'enum', required: true, description: 'What the caller wanted.', enum: ['new_booking', 'reschedule', 'cancel', 'question', 'other'] },
      { name: 'email', type: 'email', required: false, description: 'Email address, if given.' },
    ],
    confidence_threshold: 0.7,
  },
  signals: {
    schema_org_types: ['BeautySalon', 'HairSalon', 'NailSalon', 'DaySpa', 'HealthAndBeautyBusiness'],
    keywords: [
      'salon', 'hair salon', 'beauty salon', 'nail salon', 'barber', 'barbershop', 'stylist', 'haircut', 'balayage', 'highlights', 'blowout',
      'manicure', 'pedicure', 'gel nails', 'lash extensions', 'brow', 'waxing', 'facial', 'day spa', 'hair color', 'keratin',
    ],
  },
};
