import type { ResearchReport } from '../research/research-report';
import type { Template } from './template';
import { listTemplates } from './template-catalog';

export interface TemplateSuggestion {
  template_id: string;
  /** 0..1: ≥ 0.85 when a schema.org type names the vertical, 0.4–0.8 on keywords alone. */
  confidence: number;
  /** Human-readable evidence, strongest first, e.g. `schema.org type Dentist`, `keyword "furnace" in services`. */
  signals: string[];
}

/**
 * Where a keyword was seen, and how much that place says about what the business does. The name
 * and the services are the business describing itself; FAQ text and page titles mention other
 * trades in passing ("we are not a plumber"), so they count for less.
 */
const FIELD_WEIGHTS = { name: 3, services: 2, description: 2, page_titles: 1, faq: 1 } as const;
type Field = keyof typeof FIELD_WEIGHTS;
const FIELD_LABELS: Record<Field, string> = { name: 'name', services: 'services', description: 'description', page_titles: 'page titles', faq: 'FAQ' };

/** Below this a keyword-only match is a coincidence (one word in a FAQ answer), not a suggestion. */
const MIN_KEYWORD_SCORE = 2;
/** Keyword score at which the evidence is about two-thirds of the way to certain. */
const KEYWORD_SCALE = 6;
const MAX_SIGNALS = 10;

interface Evidence {
  template: Template;
  order: number;
  schemaTypes: string[];
  keywords: { keyword: string; field: Field; weight: number }[];
  keywordScore: number;
}

/** Lower-case words separated by single spaces, padded so `includes(' word ')` is a whole-word test. */
function normalize(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return ` ${words} `;
}

function containsKeyword(text: string, keyword: string): boolean {
  const k = normalize(keyword).trim();
  if (k === '') return false;
  return text.includes(` ${k} `) || text.includes(` ${k}s `) || text.includes(` ${k}es `);
}

/** `https://schema.org/Dentist`, `schema:Dentist` and `dentist` all mean Dentist. */
function schemaTypeName(type: string): string {
  const tail = type.trim().split(/[/#:]/).pop() ?? '';
  return tail.toLowerCase();
}

function fieldTexts(report: ResearchReport): Record<Field, string> {
  const p = report.profile;
  return {
    name: normalize(p.name?.value ?? ''),
    services: normalize(p.services.map((s) => s.value).join(' | ')),
    description: normalize(p.description?.value ?? ''),
    page_titles: normalize(report.pages.map((page) => page.title ?? '').join(' | ')),
    faq: normalize(p.faqs.map((f) => `${f.value.question} ${f.value.answer}`).join(' | ')),
  };
}

function evidenceFor(template: Template, order: number, types: Set<string>, texts: Record<Field, string>): Evidence {
  const schemaTypes = template.signals.schema_org_types.filter((t) => types.has(t.toLowerCase()));
  const keywords: Evidence['keywords'] = [];
  for (const keyword of template.signals.keywords) {
    // A keyword counts once, where it says the most: repeating "dental" on every page is not more evidence.
    let best: { field: Field; weight: number } | undefined;
    for (const field of Object.keys(FIELD_WEIGHTS) as Field[]) {
      const weight = FIELD_WEIGHTS[field];
      if ((!best || weight > best.weight) && containsKeyword(texts[field], keyword)) best = { field, weight };
    }
    if (best) keywords.push({ keyword, ...best });
  }
  keywords.sort((a, b) => b.weight - a.weight);
  return { template, order, schemaTypes, keywords, keywordScore: keywords.reduce((sum, k) => sum + k.weight, 0) };
}

function strength(keywordScore: number): number {
  return 1 - Math.exp(-keywordScore / KEYWORD_SCALE);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function signalsOf(e: Evidence): string[] {
  const signals = [
    ...e.schemaTypes.map((t) => `schema.org type ${t}`),
    ...e.keywords.map((k) => `keyword "${k.keyword}" in ${FIELD_LABELS[k.field]}`),
  ];
  return signals.slice(0, MAX_SIGNALS);
}

/**
 * Picks the template that best fits what the crawler found, or null when nothing fits well enough
 * to propose. A schema.org type is the site declaring its own trade, so it wins over any number of
 * keywords; keywords decide between templates only when types do not, and their confidence is kept
 * below the type band because words like "heating" are shared between trades. Pure and
 * deterministic: ties go to the template listed first in the catalog.
 */
export function suggestTemplate(report: ResearchReport): TemplateSuggestion | null {
  const types = new Set(report.profile.business_types.map(schemaTypeName).filter((t) => t !== ''));
  const texts = fieldTexts(report);
  const ranked = listTemplates()
    .map((t, i) => evidenceFor(t, i, types, texts))
    .filter((e) => e.schemaTypes.length > 0 || e.keywordScore > 0)
    .sort((a, b) => {
      const byType = Number(b.schemaTypes.length > 0) - Number(a.schemaTypes.length > 0);
      return byType || b.keywordScore - a.keywordScore || a.order - b.order;
    });

  const best = ranked[0];
  if (!best) return null;
  const runnerUp = ranked[1];

  if (best.schemaTypes.length > 0) {
    // Two templates can both be declared (e.g. a combined HVAC-and-plumbing firm); the keyword lead
    // then decides how much above the floor the confidence goes.
    const rivalScore = runnerUp && runnerUp.schemaTypes.length > 0 ? runnerUp.keywordScore : 0;
    const lead = best.keywordScore > 0 ? (best.keywordScore - rivalScore) / best.keywordScore : 0;
    const confidence = 0.85 + 0.14 * strength(best.keywordScore) * lead;
    return { template_id: best.template.id, confidence: round2(confidence), signals: signalsOf(best) };
  }

  if (best.keywordScore < MIN_KEYWORD_SCORE) return null;
  const lead = (best.keywordScore - (runnerUp?.keywordScore ?? 0)) / best.keywordScore;
  const confidence = Math.min(0.8, Math.max(0.4, 0.4 + 0.4 * strength(best.keywordScore) * (0.5 + 0.5 * lead)));
  return { template_id: best.template.id, confidence: round2(confidence), signals: signalsOf(best) };
}
