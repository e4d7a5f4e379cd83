/** An industry vertical: how its agent talks, what it must know, and what each call yields. */
export interface ExtractionField {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'phone' | 'email' | 'enum';
  description: string;
  required: boolean;
  enum?: string[];
}

export interface Template {
  object: 'template';
  id: string;
  name: string;
  vertical: string;
  description: string;
  /** The prompt is assembled from these, in order; generators fill them from research. */
  prompt_structure: {
    role: string;
    goals: string[];
    sections: { key: string; title: string; instructions: string }[];
    guardrails: string[];
  };
  first_message: string;
  knowledge_base_sections: { key: string; title: string; description: string; required: boolean }[];
  dispositions: { id: string; description: string }[];
  extraction_schema: {
    fields: ExtractionField[];
    /** A field whose confidence is below this raises extraction.low_confidence. */
    confidence_threshold: number;
  };
  /** Evidence for suggestion from research: schema.org types and words that point at this vertical. */
  signals: { schema_org_types: string[]; keywords: string[] };
}
