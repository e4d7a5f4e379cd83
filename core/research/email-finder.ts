const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const DOMAIN_CHAR = /[A-Za-z0-9.-]/;
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 253;
const DOMAIN_SHAPE = /^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}$/;

/**
 * E-mail addresses written in a line, found from each "@" outwards. A pattern run from every
 * position of the line would re-read a long run of letters once per letter when no "@" follows.
 */
export function emailsIn(line: string): string[] {
  const found: string[] = [];
  let searchFrom = 0;
  for (let at = line.indexOf('@'); at !== -1; at = line.indexOf('@', at + 1)) {
    let start = at;
    while (start > searchFrom && at - start < MAX_LOCAL_PART && LOCAL_CHAR.test(line[start - 1])) start--;
    let end = at + 1;
    while (end < line.length && end - at <= MAX_DOMAIN && DOMAIN_CHAR.test(line[end])) end++;
    // "info@example.com." ends a sentence; the dot is not part of the domain.
    const domain = line.slice(at + 1, end).replace(/[.-]+$/, '');
    if (start === at || !DOMAIN_SHAPE.test(domain)) continue;
    found.push(`${line.slice(start, at)}@${domain}`);
    searchFrom = at + 1 + domain.length;
  }
  return found;
}
