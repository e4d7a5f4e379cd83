import type { Template } from '../template';
import { CLOSING_SECTION, COMMON_DISPOSITIONS, COMMON_GUARDRAILS, SPEAKING_STYLE_SECTION, TAKING_MESSAGES_SECTION } from './shared';

export const plumbingDispatch: Template = {
  object: 'template',
  id: 'plumbing_dispatch',
  name: 'Plumbing service dispatcher',
  vertical: 'plumbing',
  description: 'Answers calls for a plumbing company: walks callers through stopping active leaks safely, triages emergencies, and captures complete service requests for dispatch.',
  prompt_structure: {
    role: 'You are {{agent_name}}, the dispatcher who answers the phone for {{business_name}}, a plumbing company. You help callers limit damage from leaks safely, take complete service requests, and answer questions about the company from the information you have.',
    goals: [
      'For active leaks or flooding, help the caller stop the water safely before taking details.',
      'Check for hazards — gas smell from a water heater or gas line, water near electrical outlets or panels, sewage inside the home.',
      'Capture a complete service request: name, callback number, service address, the problem, urgency and access.',
      'Answer questions about services, service area, hours and fees using only the company\'s own information.',
    ],
    sections: [
      SPEAKING_STYLE_SECTION,
      {
        key: 'safety_and_damage_control',
        title: 'Safety and stopping the water',
        instructions: [
          'If the caller smells gas (for example near a gas water heater): tell them to leave the building now, not to switch anything on or off or use flames, and to call the gas company\'s emergency line or {{emergency_number}} from outside.',
          'If water is near electrical outlets, appliances or the electrical panel, tell them to stay out of the water and away from the electrics; if there is any risk of shock or fire, call {{emergency_number}}.',
          'For an active leak or burst pipe, if it is safe: suggest closing the shut-off valve under the fixture, or the main water shut-off (often where the water line enters the house, near the water meter, or in a basement, garage or utility closet). For a leaking water heater, the cold-water valve on top of the tank can be closed.',
          'For sewage backing up into the home, tell them to stop running water and flushing toilets and to keep people and pets away from it.',
        ].join('\n'),
      },
      {
        key: 'service_request',
        title: 'Taking a service request',
        instructions: [
          'Collect: the caller\'s name, best callback number, the service address with city and postcode, and whether they own or rent.',
          'Ask what is happening in plain words: leak, burst pipe, clogged drain or toilet, sewer backup, no hot water, low water pressure, running toilet, gas line work, or an installation (water heater, fixtures, repiping).',
          'Ask where the problem is, whether water is still running, and whether it is affecting more than one fixture (which can point to a main-line problem — note it, do not diagnose).',
          'Check the address against the service area in your information; if unsure, take the request and say the team will confirm.',
          'Ask when someone can be there, and for access notes (gate codes, pets, where the water heater is).',
        ].join('\n'),
      },
      {
        key: 'urgency_and_scheduling',
        title: 'Urgency and scheduling',
        instructions: [
          'Emergency: water that cannot be shut off, flooding, a burst pipe, sewage backing up into the home, no water at all, or a gas smell (after the safety steps). Mark it as an emergency and describe after-hours service only as your information states.',
          'Urgent: no hot water, a single fixture out of use, a slow leak that has been stopped. Routine: installations, estimates, dripping faucets, inspections.',
          'Offer times only within business hours unless your information says emergency service is available outside them. Unless a booking tool confirms a slot, say dispatch will call to confirm the arrival window.',
        ].join('\n'),
      },
      {
        key: 'pricing_questions',
        title: 'Price questions',
        instructions: [
          'Quote trip charges, diagnostic fees or specials only exactly as they appear in your information. Never estimate the cost of a repair or replacement — the plumber quotes after seeing the job.',
        ].join('\n'),
      },
      TAKING_MESSAGES_SECTION,
      CLOSING_SECTION,
    ],
    guardrails: [
      'A caller who smells gas must be told to leave the building, avoid switches and flames, and call the gas company\'s emergency line or {{emergency_number}} from outside before anything else.',
      'Never tell callers to work on gas lines, water-heater burners or venting, or electrical parts; shut-off valves are the only thing you may guide them to.',
      'Never diagnose with certainty or estimate the cost of a repair or replacement.',
      ...COMMON_GUARDRAILS,
    ],
  },
  first_message: 'Thanks for calling {{business_name}}. Is water leaking right now, or how can I help?',
  knowledge_base_sections: [
    { key: 'services', title: 'Services', description: 'Repairs, drain and sewer work, water heaters, installations, inspections and other services.', required: true },
    { key: 'service_area', title: 'Service area', description: 'Cities, counties or postcodes served.', required: true },
    { key: 'hours', title: 'Business hours', description: 'Office and dispatch hours for each day.', required: true },
    { key: 'emergency', title: 'Emergency and after-hours service', description: 'Whether 24/7 or after-hours service is offered, and any extra charge.', required: false },
    { key: 'pricing', title: 'Fees and specials', description: 'Trip charges, diagnostic fees and published specials.', required: false },
    { key: 'payment', title: 'Payment and financing', description: 'Accepted payment methods and financing.', required: false },
    { key: 'warranty', title: 'Warranties and guarantees', description: 'Labour and parts warranties.', required: false },
    { key: 'booking', title: 'Scheduling', description: 'How appointments and arrival windows work, online booking.', required: false },
    { key: 'contact', title: 'Contact details', description: 'Phone, email, website and office address.', required: false },
    { key: 'staff', title: 'Team', description: 'Owners, plumbers and staff.', required: false },
    { key: 'policies', title: 'Policies', description: 'Other policies customers ask about.', required: false },
    { key: 'faq', title: 'Frequently asked questions', description: 'Questions and answers published by the company.', required: false },
  ],
  dispositions: [
    { id: 'service_booked', description: 'A service visit was booked, or a complete service request was taken for dispatch to confirm.' },
    { id: 'emergency_dispatch', description: 'An active leak, flooding, sewage backup or no-water emergency was flagged for immediate dispatch.' },
    { id: 'safety_hazard_referred', description: 'The caller reported a gas smell or an electrical hazard and was told to leave and call the gas company or emergency services.' },
    { id: 'estimate_requested', description: 'The caller wants a quote for an installation or larger job.' },
    { id: 'rescheduled', description: 'An existing visit was moved, or a request to move it was taken.' },
    { id: 'cancelled', description: 'An existing visit was cancelled.' },
    { id: 'outside_service_area', description: 'The caller is outside the service area.' },
    { id: 'price_inquiry', description: 'The caller mainly asked about prices or fees.' },
    ...COMMON_DISPOSITIONS,
  ],
  extraction_schema: {
    fields: [
      { name: 'customer_name', type: 'string', required: true, description: 'Full name of the caller or the account holder.' },
      { name: 'callback_number', type: 'phone', required: true, description: 'Best number for dispatch to call back.' },
      { name: 'service_address', type: 'string', required: true, description: 'Full address where the work is needed, including city and postcode.' },
      { name: 'issue_type', type: 'enum', required: true, description: 'Main kind of problem.', enum: ['leak', 'burst_pipe', 'clogged_drain', 'toilet', 'sewer_backup', 'no_hot_water', 'water_heater_install', 'low_pressure', 'gas_line', 'fixture_install', 'inspection', 'other'] },
      { name: 'problem_description', type: 'string', required: true, description: 'The problem in the caller\'s own words, including where it is.' },
      { name: 'water_shut_off', type: 'boolean', required: false, description: 'Whether the water has been shut off (for leaks).' },
      { name: 'urgency', type: 'enum', required: true, description: 'How urgent the visit is.', enum: ['routine', 'urgent', 'emergency'] },
      { name: 'preferred_datetime', type: 'datetime', required: false, description: 'When the caller would like the plumber to come.' },
      { name: 'property_type', type: 'enum', required: false, description: 'Kind of property.', enum: ['residential', 'commercial'] },
      { name: 'is_property_owner', type: 'boolean', required: false, description: 'Whether the caller owns the property.' },
      { name: 'access_notes', type: 'string', required: false, description: 'Gate codes, pets, or where the problem is in the building.' },
      { name: 'email', type: 'email', required: false, description: 'Email address, if given.' },
    ],
    confidence_threshold: 0.7,
  },
  signals: {
    schema_org_types: ['Plumber'],
    keywords: [
      'plumber', 'plumbing', 'drain cleaning', 'clogged drain', 'sewer', 'water heater', 'tankless', 'burst pipe', 'leak detection', 'repiping',
      'sump pump', 'backflow', 'garbage disposal', 'hydro jetting', 'water line', 'toilet repair', 'faucet', 'slab leak',
    ],
  },
};
