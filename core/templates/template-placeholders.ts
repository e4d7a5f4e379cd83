/**
 * Template text may mention a few values only known at generation time. Keeping the set closed
 * lets the catalog be checked at load time and lets generators prove nothing was left unfilled.
 */
export const TEMPLATE_PLACEHOLDERS = ['business_name', 'agent_name', 'emergency_number'] as const;
export type PlaceholderName = (typeof TEMPLATE_PLACEHOLDERS)[number];
export type PlaceholderValues = Record<PlaceholderName, string>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]*)\s*\}\}/g;

/** Every `{{name}}` in the text, known or not, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

export function isKnownPlaceholder(name: string): name is PlaceholderName {
  return (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name);
}

/** Replaces the known placeholders; unknown ones stay so that a check afterwards can report them. */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (isKnownPlaceholder(name) ? values[name] : whole));
}

/** Any `{{…}}` left in generated text is a bug: a caller would hear the braces read out. */
export function unfilledPlaceholders(text: string): string[] {
  return [...new Set(placeholdersIn(text).map((name) => `{{${name}}}`))];
}
