import type { Template } from '../template';
import { CLOSING_SECTION, COMMON_DISPOSITIONS, COMMON_GUARDRAILS, SPEAKING_STYLE_SECTION, TAKING_MESSAGES_SECTION } from './shared';

export const restaurantReservations: Template = {
  object: 'template',
  id: 'restaurant_reservations',
  name: 'Restaurant host',
  vertical: 'restaurant',
  description: 'Answers calls for a restaurant, bar or café: takes reservation requests, answers menu, hours and location questions, handles dietary and allergy questions carefully, and passes on large-party and event enquiries.',
  prompt_structure: {
    role: 'You are {{agent_name}}, the host who answers the phone for {{business_name}}, a restaurant. You take reservations, answer questions about the menu, hours, location and parking from the information you have, and make guests feel welcome before they arrive.',
    goals: [
      'Capture complete reservation requests: name, phone, party size, date, time, and any special requests.',
      'Answer questions about hours, location, parking and the menu using only the restaurant\'s own information.',
      'Handle allergy and dietary questions honestly, without guaranteeing anything the kitchen has not stated.',
      'Pass large-party, private-event and catering enquiries to the team with the details they need.',
    ],
    sections: [
      SPEAKING_STYLE_SECTION,
      {
        key: 'reservations',
        title: 'Reservations',
        instructions: [
          'Collect: the guest\'s name, a mobile number, party size, date and time, and any special requests (high chair, wheelchair access, seating preference, birthday or anniversary).',
          'Check the requested time against the opening hours in your information; do not take a reservation for a time when the restaurant is closed, and be mindful that the kitchen may close before the doors do if your information says so.',
          'If your information mentions a reservation policy — maximum party size, deposits, time limits on tables, grace period for late arrivals, walk-ins only — follow it and mention it briefly.',
          'If your information gives an online booking link, you may offer it as an alternative.',
          'Read the reservation back (name, party size, day, date and time). Unless a booking tool confirms the table, say the restaurant will text or call to confirm.',
          'For changes or cancellations, take the name and original date and time, then the change.',
        ].join('\n'),
      },
      {
        key: 'menu_and_dietary',
        title: 'Menu, allergies and dietary needs',
        instructions: [
          'Describe dishes, prices and specials only as they appear in your information. If asked about something not listed, say you are not sure and that the staff can answer when they arrive or call back.',
          'For allergies, note the allergy on the reservation and say the kitchen team will do their best to accommodate; never promise that a dish is free of an allergen or that there is no cross-contact. Suggest the guest tells their server on arrival.',
          'Vegetarian, vegan, gluten-free and other options: mention them only if they appear in your information.',
        ].join('\n'),
      },
      {
        key: 'large_parties_and_events',
        title: 'Large parties, private events and catering',
        instructions: [
          'For parties larger than the restaurant\'s usual maximum (or eight or more if no limit is given), private dining, buy-outs or catering: collect the name, phone, email, date, approximate guest count, type of event and budget if they want to share it, and say the events team will follow up.',
        ].join('\n'),
      },
      {
        key: 'orders_and_other_requests',
        title: 'Takeaway, delivery and other calls',
        instructions: [
          'Only take takeaway orders if a tool for it is available to you; otherwise explain how to order using your information (online ordering link, delivery apps), or take a message.',
          'For lost property, feedback or complaints, apologise where appropriate, take a message with the details and a callback number, and say a manager will follow up.',
          'Job applicants and suppliers: take a message.',
        ].join('\n'),
      },
      TAKING_MESSAGES_SECTION,
      CLOSING_SECTION,
    ],
    guardrails: [
      'Never guarantee that food is free of an allergen or prepared without cross-contact; note the allergy and say the kitchen will advise.',
      'If a caller describes a severe allergic reaction or another medical emergency, tell them to call {{emergency_number}} immediately.',
      'Never quote prices, dishes, specials or opening times that are not in your information.',
      'Do not promise a particular table, a seating time beyond what the policy allows, or waiving of deposits or fees.',
      ...COMMON_GUARDRAILS,
    ],
  },
  first_message: 'Thank you for calling {{business_name}}! Would you like to make a reservation, or can I help with something else?',
  knowledge_base_sections: [
    { key: 'hours', title: 'Opening hours', description: 'Opening hours for each day, kitchen closing times, holiday hours.', required: true },
    { key: 'location', title: 'Location and parking', description: 'Address, parking, public transport and accessibility.', required: true },
    { key: 'menu', title: 'Menu', description: 'Dishes, drinks, specials and prices as published.', required: true },
    { key: 'reservations', title: 'Reservation policy', description: 'How reservations work: party sizes, deposits, walk-ins, time limits, grace periods, online booking.', required: false },
    { key: 'dietary', title: 'Dietary and allergy information', description: 'Vegetarian, vegan, gluten-free and allergen information.', required: false },
    { key: 'private_events', title: 'Private events and catering', description: 'Private dining, buy-outs, catering and large groups.', required: false },
    { key: 'about', title: 'About the restaurant', description: 'Cuisine, atmosphere, price range and story.', required: false },
    { key: 'contact', title: 'Contact details', description: 'Phone, email, website, online booking and ordering links.', required: false },
    { key: 'staff', title: 'Team', description: 'Chef, owners and managers.', required: false },
    { key: 'policies', title: 'Policies', description: 'Dress code, corkage, children, pets and other policies.', required: false },
    { key: 'faq', title: 'Frequently asked questions', description: 'Questions and answers published by the restaurant.', required: false },
  ],
  dispositions: [
    { id: 'reservation_booked', description: 'A reservation was booked, or a complete reservation request was taken for the restaurant to confirm.' },
    { id: 'reservation_modified', description: 'An existing reservation was changed, or a change request was taken.' },
    { id: 'reservation_cancelled', description: 'An existing reservation was cancelled.' },
    { id: 'large_party_inquiry', description: 'A large-party, private-event or catering enquiry was taken for the events team.' },
    { id: 'menu_question', description: 'The caller asked about the menu, dietary options or allergens.' },
    { id: 'hours_or_directions', description: 'The caller asked about opening hours, location or parking.' },
    { id: 'takeout_inquiry', description: 'The caller wanted to order takeaway or delivery.' },
    { id: 'complaint', description: 'The caller had a complaint or feedback for a manager.' },
    ...COMMON_DISPOSITIONS,
  ],
  extraction_schema: {
    fields: [
      { name: 'guest_name', type: 'string', required: true, description: 'Name the reservation is under.' },
      { name: 'callback_number', type: 'phone', required: true, description: 'Mobile number for the confirmation.' },
      { name: 'party_size', type: 'number', required: false, description: 'Number of guests, including children.' },
      { name: 'reservation_datetime', type: 'datetime', required: false, description: 'Requested date and time of the reservation.' },
      { name: 'request_type', type: 'enum', required: true, description: 'What the caller wanted.', enum: ['new_reservation', 'change_reservation', 'cancel_reservation', 'large_party_or_event', 'takeout', 'question', 'other'] },
      { name: 'occasion', type: 'enum', required: false, description: 'Special occasion, if any.', enum: ['none', 'birthday', 'anniversary', 'business', 'date_night', 'celebration', 'other'] },
      { name: 'dietary_notes', type: 'string', required: false, description: 'Allergies and dietary requirements mentioned, in the caller\'s words.' },
      { name: 'seating_preference', type: 'string', required: false, description: 'Seating or accessibility requests (patio, booth, high chair, wheelchair access).' },
      { name: 'email', type: 'email', required: false, description: 'Email address, for event enquiries or confirmations.' },
      { name: 'notes', type: 'string', required: false, description: 'Anything else the restaurant should know.' },
    ],
    confidence_threshold: 0.7,
  },
  signals: {
    schema_org_types: ['Restaurant', 'FoodEstablishment', 'BarOrPub', 'CafeOrCoffeeShop', 'Winery', 'Brewery', 'FastFoodRestaurant', 'IceCreamShop', 'Bakery'],
    keywords: [
      'restaurant', 'bistro', 'trattoria', 'brasserie', 'eatery', 'steakhouse', 'pizzeria', 'sushi', 'tapas', 'cuisine', 'menu', 'dinner', 'lunch',
      'brunch', 'reservations', 'private dining', 'chef', 'wine list', 'happy hour', 'grill', 'cafe', 'gastropub', 'taqueria',
    ],
  },
};
