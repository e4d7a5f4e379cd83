import type { TranscriptTurn } from '../call-types';
import { findPhrase, phrase, type Phrase, tokenize, type Token } from './transcript-tokens';

/**
 * Disposition and intent from the whole call. Each disposition is scored by curated cue phrases
 * for its id (what agents and callers actually say when a call ends that way) plus the content
 * words of its description, so custom dispositions score too, only more weakly. Agent turns count
 * for dispositions (the agent says "I've put you down for…"), only caller turns for intent.
 */
/** `weight` above the default 2 for cues that decide an outcome on their own (a call that mentions "cancel" is about cancelling, whatever else it mentions). */
const CUES: { match: (id: string) => boolean; phrases: string[]; weight?: number }[] = [
  { match: (id) => /book|reservation_booked|^booked$/.test(id) && !/cancel/.test(id), phrases: ['book', 'booked', 'schedule', 'scheduled', 'appointment', 'put you down', 'reserve', 'reservation', 'see you', 'request for', 'have you down', 'penciled', 'table for', 'put it under', 'under the name', 'confirmation'] },
  { match: (id) => /reschedul|modified/.test(id), phrases: ['reschedule', 'move my', 'change my', 'push my', 'moved your', 'different day', 'different time', 'instead'], weight: 3.5 },
  { match: (id) => /cancel/.test(id), phrases: ['cancel', 'cancelled', 'canceled', 'cancellation'], weight: 3.5 },
  { match: (id) => /emergency_referred|safety_hazard|poison/.test(id), phrases: ['911', 'nine one one', 'emergency room', 'leave the house', 'leave the home', 'get out of the house', 'gas company', 'poison control', 'emergency hospital', 'er'], weight: 3 },
  { match: (id) => /emergency_dispatch|urgent/.test(id), phrases: ['emergency', 'right away', 'immediately', 'priority', 'urgent', 'as soon as possible', 'asap', 'flagged', 'no heat', 'flooding'] },
  { match: (id) => /crisis/.test(id), phrases: ['988', 'crisis line', 'hurt myself', 'suicid*'] },
  { match: (id) => /price/.test(id), phrases: ['how much', 'price', 'prices', 'cost', 'charge', 'fee', 'rates'] },
  { match: (id) => /estimate/.test(id), phrases: ['estimate', 'quote', 'new system', 'replacement', 'install'] },
  { match: (id) => /refill/.test(id), phrases: ['refill', 'prescription', 'ran out'] },
  { match: (id) => /records/.test(id), phrases: ['records', 'results'] },
  { match: (id) => /insurance|billing/.test(id), phrases: ['insurance', 'coverage', 'in network', 'bill', 'billing', 'balance'] },
  { match: (id) => /wrong_number/.test(id), phrases: ['wrong number', 'meant to call', 'sorry wrong'], weight: 5 },
  { match: (id) => /spam/.test(id), phrases: ['limited time offer', 'extended warranty', 'press one', 'survey', 'seo services', 'google listing', 'business loan'] },
  { match: (id) => /voicemail/.test(id), phrases: ['leave a message after', 'after the tone', 'after the beep', 'not available to take'] },
  { match: (id) => /message_taken|existing_client_message|professional_call|status_inquiry/.test(id), phrases: ['take a message', 'pass that along', 'pass it along', 'call you back', 'get back to you', 'let them know', 'message for'] },
  { match: (id) => /transferred/.test(id), phrases: ['transfer you', 'transferring', 'connect you', 'putting you through'] },
  { match: (id) => /outside/.test(id), phrases: ['outside our service area', 'dont service', 'dont cover', 'too far', 'outside the area', 'referral service', 'dont handle'] },
  { match: (id) => /new_patient|new_client/.test(id), phrases: ['new patient', 'new client', 'accepting new', 'taking new'] },
  { match: (id) => /large_party/.test(id), phrases: ['private event', 'large party', 'catering', 'private room'] },
  { match: (id) => /menu/.test(id), phrases: ['menu', 'gluten free', 'vegan', 'vegetarian options', 'dairy free'] },
  { match: (id) => /hours_or_directions/.test(id), phrases: ['what time do you', 'open', 'close', 'parking', 'directions', 'where are you'] },
  { match: (id) => /takeout/.test(id), phrases: ['takeout', 'to go', 'delivery', 'pick up'] },
  { match: (id) => /complaint/.test(id), phrases: ['complaint', 'unhappy', 'disappointed', 'speak to a manager', 'terrible', 'not happy'] },
  { match: (id) => /gift_card/.test(id), phrases: ['gift card', 'gift certificate', 'package', 'membership'] },
  { match: (id) => /consultation/.test(id), phrases: ['consultation', 'consult', 'meet with'] },
  { match: (id) => /showing/.test(id), phrases: ['showing', 'see the house', 'see the property', 'tour', 'walk through'] },
  { match: (id) => /buyer_lead/.test(id), phrases: ['buy', 'buying', 'looking for a house', 'pre approved', 'preapproved'] },
  { match: (id) => /seller_lead/.test(id), phrases: ['sell', 'selling', 'list my', 'worth'] },
  { match: (id) => /listing_inquiry/.test(id), phrases: ['listing', 'is it still available', 'the house on'] },
  { match: (id) => /already_represented/.test(id), phrases: ['already have an agent', 'already working with', 'my agent'] },
  { match: (id) => /intake_completed/.test(id), phrases: ['conflict check', 'attorney will review', 'review your matter'] },
  { match: (id) => /tow/.test(id), phrases: ['tow', 'towed', 'not drive it', 'dont drive it'] },
  { match: (id) => /general_inquiry/.test(id), phrases: ['question', 'wondering', 'do you', 'are you open'] },
];

const STOP = new Set(['the', 'a', 'an', 'and', 'or', 'was', 'were', 'is', 'to', 'for', 'of', 'in', 'on', 'by', 'it', 'that', 'caller', 'call', 'with', 'taken', 'asked', 'about', 'mainly', 'their', 'they', 'been', 'told', 'other', 'any', 'an', 'existing', 'complete', 'from', 'team', 'what', 'business', 'person']);

interface Scored {
  id: string;
  score: number;
}

function score(id: string, description: string, tokenTurns: { role: TranscriptTurn['role']; tokens: Token[] }[], roles: TranscriptTurn['role'][]): number {
  const cues: { p: Phrase; weight: number }[] = CUES.filter((c) => c.match(id)).flatMap((c) => c.phrases.map((p) => ({ p: phrase(p), weight: c.weight ?? 2 })));
  const words = description.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 3 && !STOP.has(w));
  let total = 0;
  for (const turn of tokenTurns) {
    if (!roles.includes(turn.role)) continue;
    const weight = turn.role === 'caller' ? 1 : 0.8;
    for (const cue of cues) total += Math.min(2, findPhrase(turn.tokens, cue.p).length) * cue.weight * weight;
    for (const w of words) if (turn.tokens.some((t) => t.norm === w)) total += 0.5 * weight;
  }
  return total;
}

export interface CallOutcome {
  disposition: string | null;
  intent: string | null;
}

const INTENTS: { id: string; phrases: string[] }[] = [
  { id: 'emergency', phrases: ['emergency', 'flooding', 'smell gas', 'carbon monoxide', 'cant breathe', 'bleeding', 'burst'] },
  { id: 'cancel', phrases: ['cancel'] },
  { id: 'reschedule', phrases: ['reschedule', 'move my appointment', 'change my appointment', 'change my reservation', 'move my reservation'] },
  { id: 'book', phrases: ['book', 'schedule', 'appointment', 'reservation', 'table for', 'come out', 'send someone', 'come in', 'get in', 'set up'] },
  { id: 'repair', phrases: ['isnt working', 'not working', 'stopped working', 'broke', 'broken', 'leak*', 'send someone', 'come out', 'technician', 'wont start', 'making a noise', 'clog*', 'no heat', 'no hot water', 'check engine'] },
  { id: 'quote', phrases: ['estimate', 'quote', 'how much', 'price', 'cost'] },
  { id: 'refill', phrases: ['refill', 'prescription'] },
  { id: 'complaint', phrases: ['complaint', 'unhappy', 'disappointed', 'manager'] },
  { id: 'buy_or_sell', phrases: ['buy', 'sell', 'listing', 'showing'] },
  { id: 'legal_help', phrases: ['lawyer', 'attorney', 'sue', 'divorce', 'custody', 'accident'] },
  { id: 'question', phrases: ['question', 'wondering', 'do you', 'are you open'] },
];

export function scoreOutcome(turns: readonly TranscriptTurn[], dispositions: readonly { id: string; description: string }[]): CallOutcome {
  const tokenTurns = turns.map((t) => ({ role: t.role, tokens: tokenize(t.text) }));
  let best: Scored | null = null;
  for (const d of dispositions) {
    const s = score(d.id, d.description, tokenTurns, ['agent', 'caller']);
    if (s > 0 && (!best || s > best.score)) best = { id: d.id, score: s };
  }
  const callerWords = tokenTurns.filter((t) => t.role === 'caller').reduce((n, t) => n + t.tokens.length, 0);
  let disposition = best && best.score >= 2 ? best.id : null;
  if (callerWords === 0 && dispositions.some((d) => d.id === 'hang_up')) disposition = 'hang_up';

  let intent: string | null = null;
  let intentScore = 0;
  for (const candidate of INTENTS) {
    let s = 0;
    for (const turn of tokenTurns) if (turn.role === 'caller') for (const p of candidate.phrases) s += findPhrase(turn.tokens, phrase(p)).length;
    // the order of INTENTS breaks ties: an emergency outranks the booking it leads to
    if (s > intentScore) {
      intent = candidate.id;
      intentScore = s;
    }
  }
  return { disposition, intent };
}
