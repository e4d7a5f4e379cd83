import { suggestTemplate } from '../../core/templates/template-suggester';
import { bookshopReport, dentalReport, fact, hvacKeywordReport, reportFor } from '../support/hand-built-reports';

describe('suggestTemplate', () => {
  it('picks dental with high confidence for a schema.org Dentist', () => {
    const s = suggestTemplate(dentalReport());
    expect(s?.template_id).toBe('dental_receptionist');
    expect(s?.confidence).toBeGreaterThanOrEqual(0.85);
    expect(s?.confidence).toBeLessThanOrEqual(1);
    expect(s?.signals[0]).toBe('schema.org type Dentist');
    expect(s?.signals).toEqual(expect.arrayContaining([expect.stringMatching(/^keyword "dentistry" in name$/)]));
  });

  it('accepts full schema.org URLs as types', () => {
    const report = reportFor('https://x.example/', { business_types: ['https://schema.org/VeterinaryCare'] });
    expect(suggestTemplate(report)).toEqual({ template_id: 'veterinary_clinic', confidence: 0.85, signals: ['schema.org type VeterinaryCare'] });
  });

  it('picks hvac from keywords alone, with confidence in the keyword band', () => {
    const s = suggestTemplate(hvacKeywordReport());
    expect(s?.template_id).toBe('hvac_dispatch');
    expect(s?.confidence).toBeGreaterThanOrEqual(0.4);
    expect(s?.confidence).toBeLessThanOrEqual(0.8);
    expect(s?.signals).toEqual(expect.arrayContaining(['keyword "heating & air" in name', 'keyword "furnace" in services']));
  });

  it('returns null for a business no template fits', () => {
    expect(suggestTemplate(bookshopReport())).toBeNull();
  });

  it('returns null for a single passing mention in an FAQ', () => {
    const report = reportFor('https://x.example/', {
      name: fact('Riverside Yoga', 'https://x.example/'),
      faqs: [fact({ question: 'Is there parking?', answer: 'Yes, next to the dentist.' }, 'https://x.example/faq')],
    });
    expect(suggestTemplate(report)).toBeNull();
  });

  it('lets a schema.org type beat stronger keywords for another vertical', () => {
    const report = hvacKeywordReport();
    report.profile.business_types = ['Plumber'];
    expect(suggestTemplate(report)?.template_id).toBe('plumbing_dispatch');
    expect(suggestTemplate(report)?.confidence).toBeGreaterThanOrEqual(0.85);
  });

  it('uses keywords to choose between two declared types', () => {
    const report = hvacKeywordReport();
    report.profile.business_types = ['Plumber', 'HVACBusiness'];
    const s = suggestTemplate(report);
    expect(s?.template_id).toBe('hvac_dispatch');
    expect(s?.confidence).toBeGreaterThanOrEqual(0.85);
  });

  it('is deterministic', () => {
    expect(suggestTemplate(dentalReport())).toEqual(suggestTemplate(dentalReport()));
    expect(suggestTemplate(hvacKeywordReport())).toEqual(suggestTemplate(hvacKeywordReport()));
  });
});
