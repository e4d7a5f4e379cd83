import type { FoundFacts } from './page-facts';
import { headingLevel } from './page-outline';
import type { ParsedPage } from './parsed-page';

/**
 * People and their roles from a team page or a "Meet our doctors"-style section: a block whose
 * first line is a person's name, with the role on the next line or in the next block
 * ("Dr. Emily Carter, DDS" / "Lead Dentist").
 */
const TEAM_HEADING =
  /\b(team|staff|our people|meet|doctors|dentists|providers|attorneys|lawyers|stylists|veterinarians|vets|agents|physicians|hygienists|technicians|leadership|partners|associates)\b/i;
const TITLE = String.raw`(?:Dr|Mr|Mrs|Ms|Mx|Prof)\.?\s+`;
const WORD = String.raw`[A-Z][a-zA-Z'’-]+`;
const CREDENTIALS = String.raw`(?:,?\s+(?:[A-Z][A-Za-z.]{1,6}|Jr\.?|Sr\.?|II|III)(?:,\s*[A-Z][A-Za-z.]{1,6})*)?`;
const PERSON_NAME = new RegExp(String.raw`^(?:${TITLE})?${WORD}(?:\s+[A-Z]\.)?(?:\s+${WORD}){1,2}${CREDENTIALS}$`);
/** Capitalised headings that are not people ("Meet The Team", "Front Desk") and job titles ("Associate Dentist"). */
const NOT_NAME_WORDS =
  /\b(meet|team|our|the|staff|about|services?|contact|hours|doctors?|welcome|office|front|desk|care|family|dental|law|group|clinic|salon|center|centre|and|of|for|with|new|patients?|book|call|us|policy|insurance|location|read|more|learn|why|what|how|home|dentist|hygienist|manager|assistant|associate|founder|founding|partner|owner|director|coordinator|receptionist|technician|stylist|colou?rist|attorney|paralegal|counsel|veterinarian|nurse|agent|broker|realtor|specialist|lead|senior|junior|head|chief|president|ceo|mechanic|advisor|consultant|administrator|practice|registered|certified|licensed|master)\b/i;
const ROLE_SEPARATOR = /\s+[–—|-]\s+/;

export function extractStaff(page: ParsedPage, into: FoundFacts): void {
  const blocks = page.outline.filter((b) => (b.landmark === 'main' || b.landmark === 'none' || b.landmark === 'aside') && !b.within.form);
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const inTeamContext = page.kind === 'team' || page.kind === 'about' || block.headings.some((h) => TEAM_HEADING.test(h.text));
    if (!inTeamContext) continue;
    const [first, second] = block.lines;
    const [namePart, inlineRole] = first.split(ROLE_SEPARATOR, 2);
    if (!isPersonName(namePart)) continue;
    let role = inlineRole ?? second;
    if (!role) {
      const next = blocks[i + 1];
      const thisLevel = headingLevel(block.tag);
      const nextLevel = next ? headingLevel(next.tag) : null;
      // A card's heading is the name and the line under it the role ("Rick Alvarez" / "Shop
      // Foreman"), even when the role is capitalised like a name; between two blocks of the same
      // kind, only a line that does not itself look like a name can be a role.
      const cardRole = next !== undefined && thisLevel !== null && (nextLevel === null || nextLevel > thisLevel) && looksLikeRole(next.lines[0]);
      if (cardRole) {
        role = next.lines[0];
        i++;
      } else if (next && nextLevel === null && thisLevel === null && !isPersonName(next.lines[0].split(ROLE_SEPARATOR)[0])) {
        role = next.lines[0];
      }
    }
    const method = headingLevel(block.tag) !== null ? 'heading' : block.tag === 'li' ? 'list' : 'text';
    const value = role && looksLikeRole(role) ? { name: namePart.trim(), role: role.trim() } : { name: namePart.trim() };
    into.staff.push({ value, source_url: page.url, method });
  }
}

function isPersonName(text: string | undefined): boolean {
  if (!text) return false;
  const candidate = text.trim();
  return candidate.length <= 60 && PERSON_NAME.test(candidate) && !NOT_NAME_WORDS.test(candidate.replace(new RegExp(`^${TITLE}`), ''));
}

/** A job title is short and is not a sentence. */
function looksLikeRole(text: string): boolean {
  const t = text.trim();
  return t.length >= 2 && t.length <= 60 && t.split(/\s+/).length <= 8 && !/[.!?]$/.test(t.replace(/\b(Jr|Sr|Esq|Inc)\.$/, '')) && !/@|\d{3}/.test(t);
}
