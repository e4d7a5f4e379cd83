/**
 * Whether text from a website may stand as the business's name. The name is the one piece of
 * crawled text that leaves the fenced website-data section: it is spoken in the greeting and
 * written into the role, goals and rules. So it must look like a name — short, made of the
 * characters names are made of, and not a sentence addressed to the agent — or it is not used.
 */
const MAX_NAME_CHARS = 80;
const MAX_NAME_WORDS = 8;
/** Letters of any script, digits, spaces and the punctuation of "Smith & Sons, Inc." or "O’Brien-Lee (Austin)". */
const NAME_CHARACTERS = /^[\p{L}\p{M}\p{N} &'’.,\-–()+/]+$/u;
const HAS_LETTER = /\p{L}/u;
/** Words that name no business but tell a model what to do, or ask callers for what no greeting needs. */
const INSTRUCTION_WORDS =
  /\b(ignore|disregard|instructions?|prompts?|system|assistant|pretend|roleplay|jailbreak|override|password|passcode|ssn|social security|credit cards?|card numbers?|cvv|bank account|routing number|you must|you are)\b/i;
const URL_LIKE = /https?|www\.|\.(com|net|org|io|co|us|biz|info)\b/i;

export function looksLikeBusinessName(name: string): boolean {
  if (name.length < 2 || name.length > MAX_NAME_CHARS) return false;
  if (!NAME_CHARACTERS.test(name) || !HAS_LETTER.test(name)) return false;
  if (name.split(' ').length > MAX_NAME_WORDS) return false;
  // A phone number in a name is a number the greeting would read out.
  if ((name.match(/\d/g)?.length ?? 0) > 4) return false;
  return !INSTRUCTION_WORDS.test(name) && !URL_LIKE.test(name);
}
