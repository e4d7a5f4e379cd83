import { z } from 'zod';
import { businessUrlSchema } from '../../core/agents/agent-payload';
import { ApiError } from '../../core/errors/errors';
import { OutboundUrlRefused } from '../../core/outbound/outbound-url-guard';
import { ResearchError, ResearchReport } from '../../core/research/research-report';
import { defineRoute, RouteSpec } from '../http/route';
import type { QuotaService } from '../../core/quotas/quota-service';

const scoutRequestSchema = z.object({ business_url: businessUrlSchema }).strict().meta({ id: 'ScoutResearchRequest' });

const sourced = <T extends z.ZodType>(value: T) => z.object({ value, source_url: z.string(), method: z.string() });

const researchReportSchema = z
  .object({
    object: z.literal('research_report'),
    business_url: z.string(),
    final_url: z.string(),
    crawled_at: z.string(),
    duration_ms: z.number(),
    pages: z.array(z.object({ url: z.string(), status: z.number(), kind: z.string(), title: z.string().nullable(), bytes: z.number() })),
    skipped: z.array(z.object({ url: z.string(), reason: z.string(), detail: z.string().optional() })),
    profile: z
      .object({
        name: sourced(z.string()).optional(),
        telephone: sourced(z.string()).optional(),
        business_types: z.array(z.string()),
        services: z.array(sourced(z.string())),
      })
      .catchall(z.unknown()),
    suggested_template: z.object({ template_id: z.string(), confidence: z.number(), signals: z.array(z.string()) }).nullable(),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'ResearchReport' });

export interface ScoutDeps {
  research(businessUrl: string): Promise<ResearchReport>;
  suggest(report: ResearchReport): ResearchReport['suggested_template'];
  /** Research requests per account per minute (429 RATE_LIMITED beyond). */
  quotas?: Pick<QuotaService, 'consumeResearch'>;
}

export function scoutRoutes(deps: ScoutDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v2/scout/research',
      operationId: 'scoutResearch',
      summary: 'Research a business site without provisioning anything',
      description: 'Crawls the site (robots.txt honoured, same-site pages only) and returns the business profile, where each fact was found, and a suggested template with a confidence.',
      tag: 'scout',
      scope: 'agents:write',
      body: scoutRequestSchema,
      errors: ['RESEARCH_FAILED'],
      responses: { 200: { description: 'The research report.', schema: researchReportSchema } },
      async handler({ body, principal }) {
        await deps.quotas?.consumeResearch(principal.accountId);
        try {
          const report = await deps.research(body.business_url);
          report.suggested_template = deps.suggest(report);
          return { status: 200, body: report };
        } catch (err) {
          if (err instanceof ResearchError) {
            throw new ApiError('RESEARCH_FAILED', err.message, {
              retryable: err.retryable,
              recovery: err.retryable ? 'retry_after_delay' : 'fix_request',
              retryAfterSeconds: err.retryable ? 30 : undefined,
              details: [{ field: 'business_url', issue: err.failure, message: err.message }],
            });
          }
          if (err instanceof OutboundUrlRefused) {
            throw new ApiError('VALIDATION_ERROR', 'business_url cannot be fetched.', { details: [{ field: 'business_url', issue: err.reason, message: err.message }] });
          }
          throw err;
        }
      },
    }),
  ];
}
