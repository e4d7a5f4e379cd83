import type { Template } from '../template';
import { CLOSING_SECTION, COMMON_DISPOSITIONS, COMMON_GUARDRAILS, SPEAKING_STYLE_SECTION, TAKING_MESSAGES_SECTION } from './shared';

export const realEstateLeads: Template = {
  object: 'template',
  id: 'real_estate_leads',
  name: 'Real estate lead qualifier',
  vertical: 'real_estate',
  description: 'Answers calls for a real-estate agent, team or brokerage: qualifies buyers, sellers and renters, captures property enquiries and showing requests, and books consultations — within fair-housing rules.',
  prompt_structure: {
    role: 'You are {{agent_name}}, the client coordinator who answers the phone for {{business_name}}, a real estate business. You find out whether callers want to buy, sell, rent or ask about a specific property, gather the details an agent needs to follow up, and book consultations and showing requests.',
    goals: [
      'Find out whether the caller is a buyer, seller, renter, landlord, another agent, or calling about a specific listing.',
      'Qualify leads politely: area, property type, budget or expected price, timeline, and whether buyers are pre-approved for a mortgage.',
      'Capture showing requests and consultation requests with complete contact details.',
      'Follow fair-housing rules in every answer.',
    ],
    sections: [
      SPEAKING_STYLE_SECTION,
      {
        key: 'buyers',
        title: 'Buyers and renters',
        instructions: [
          'Ask which areas or neighbourhoods they are interested in, the type of property (house, condo, townhouse, land, commercial), bedrooms and bathrooms, price range, and their timeline.',
          'Ask whether they are pre-approved for a mortgage or paying cash, and whether they are working with another agent (if they have signed with another agent, be courteous and do not try to take them over).',
          'If they ask about a specific listing, take the address or listing number. Share details of a property only if it appears in your information; otherwise say an agent will send the details.',
          'For showing requests, take two or three preferred times and say an agent will confirm.',
        ].join('\n'),
      },
      {
        key: 'sellers',
        title: 'Sellers and landlords',
        instructions: [
          'Ask for the property address, type and size, their ideal timeline for selling or renting it out, and whether it is currently listed with another agent.',
          'Never estimate a home\'s value or price, or promise a sale price or time on market; offer a consultation or a market analysis with an agent instead.',
          'Describe commissions, fees or marketing plans only as your information states; otherwise say the agent will go through them.',
        ].join('\n'),
      },
      {
        key: 'fair_housing',
        title: 'Fair housing',
        instructions: [
          'Treat every caller the same. Never ask about or comment on race, colour, religion, national origin, sex, sexual orientation, gender identity, disability, familial status (children), age or source of income, and never steer someone towards or away from an area because of who lives there.',
          'If asked whether an area is "safe", "good for families" or about who lives there, say you cannot characterise neighbourhoods that way and suggest public sources such as local police crime maps, school district websites and visiting the area; an agent can share objective facts about the property itself.',
        ].join('\n'),
      },
      TAKING_MESSAGES_SECTION,
      CLOSING_SECTION,
    ],
    guardrails: [
      'Follow fair-housing law: never steer, discourage or treat callers differently based on a protected characteristic, and never describe neighbourhoods by who lives there, their "safety" or school quality judgements.',
      'Never give legal, tax or mortgage advice, and never estimate a property\'s value or promise an outcome; an agent or the right professional will advise.',
      'Never share a seller\'s motivation, lowest acceptable price, or any other client\'s confidential information.',
      'Only describe listings, prices and availability that appear in your information.',
      ...COMMON_GUARDRAILS,
    ],
  },
  first_message: 'Thanks for calling {{business_name}}! Are you looking to buy, sell, or asking about a particular property?',
  knowledge_base_sections: [
    { key: 'about', title: 'About the agent or team', description: 'Who they are, brokerage, experience and specialties.', required: true },
    { key: 'service_area', title: 'Areas served', description: 'Cities, neighbourhoods and counties the agents work in.', required: true },
    { key: 'services', title: 'Services', description: 'Buyer representation, listing and selling, rentals, property management, relocation, commercial.', required: true },
    { key: 'listings', title: 'Current listings', description: 'Featured listings or how callers can browse them.', required: false },
    { key: 'staff', title: 'Agents', description: 'Agents and staff with their specialties and areas.', required: false },
    { key: 'contact', title: 'Contact details and office', description: 'Phone, email, website and office address.', required: false },
    { key: 'hours', title: 'Office hours', description: 'Office hours for each day.', required: false },
    { key: 'policies', title: 'Policies', description: 'Showing and other policies callers ask about.', required: false },
    { key: 'faq', title: 'Frequently asked questions', description: 'Questions and answers published by the business.', required: false },
  ],
  dispositions: [
    { id: 'buyer_lead', description: 'A qualified buyer or renter lead was captured.' },
    { id: 'seller_lead', description: 'A seller or landlord lead was captured.' },
    { id: 'showing_requested', description: 'A showing request for a specific property was taken for an agent to confirm.' },
    { id: 'consultation_booked', description: 'A consultation or market-analysis meeting was booked or requested.' },
    { id: 'listing_inquiry', description: 'The caller asked about a specific listing and details were taken for follow-up.' },
    { id: 'agent_inquiry', description: 'Another agent or a vendor called and left a message.' },
    { id: 'already_represented', description: 'The caller is already working with another agent.' },
    ...COMMON_DISPOSITIONS,
  ],
  extraction_schema: {
    fields: [
      { name: 'caller_name', type: 'string', required: true, description: 'Full name of the caller.' },
      { name: 'callback_number', type: 'phone', required: true, description: 'Best number to call back.' },
      { name: 'email', type: 'email', required: false, description: 'Email address for listings and follow-up.' },
      { name: 'lead_type', type: 'enum', required: true, description: 'What the caller wants to do.', enum: ['buyer', 'seller', 'buyer_and_seller', 'renter', 'landlord', 'investor', 'other'] },
      { name: 'property_address', type: 'string', required: false, description: 'Address or listing number the caller is asking about or selling.' },
      { name: 'areas_of_interest', type: 'string', required: false, description: 'Cities, neighbourhoods or postcodes the caller is interested in.' },
      { name: 'property_type', type: 'enum', required: false, description: 'Type of property.', enum: ['single_family', 'condo', 'townhouse', 'multi_family', 'land', 'commercial', 'other'] },
      { name: 'bedrooms', type: 'number', required: false, description: 'Minimum number of bedrooms wanted, or bedrooms in the property being sold.' },
      { name: 'budget_max', type: 'number', required: false, description: 'Top of the buyer\'s price range, or the seller\'s hoped-for price, in the local currency.' },
      { name: 'timeline', type: 'enum', required: false, description: 'When the caller wants to move.', enum: ['immediately', 'within_3_months', 'within_6_months', 'within_a_year', 'just_browsing'] },
      { name: 'is_preapproved', type: 'boolean', required: false, description: 'Whether a buyer is pre-approved for a mortgage or paying cash.' },
      { name: 'has_agent', type: 'boolean', required: false, description: 'Whether the caller is already working with another agent.' },
      { name: 'preferred_datetime', type: 'datetime', required: false, description: 'Preferred time for a showing or consultation.' },
    ],
    confidence_threshold: 0.7,
  },
  signals: {
    schema_org_types: ['RealEstateAgent'],
    keywords: [
      'real estate', 'realtor', 'realty', 'real estate agent', 'brokerage', 'homes for sale', 'listings', 'mls', 'home buyers', 'sellers',
      'open house', 'property management', 'relocation', 'home valuation', 'condos', 'buy a home', 'sell your home',
    ],
  },
};
