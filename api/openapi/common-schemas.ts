import { z } from 'zod';
import { ERROR_CODES, RECOVERY_ACTIONS } from '../../core/errors/errors';

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [string, ...string[]]).describe('Stable, machine-readable error code.'),
      message: z.string().describe('For people; bots should read code, retryable and recovery.'),
      retryable: z.boolean().describe('True when the same request may succeed later.'),
      retry_after: z.number().int().optional().describe('Seconds to wait before retrying, when known.'),
      recovery: z.enum(Object.keys(RECOVERY_ACTIONS) as [string, ...string[]]).describe('What a bot should do next.'),
      request_id: z.string().describe('The X-Request-Id of this request, for support.'),
      details: z
        .array(
          z
            .object({
              field: z.string().optional().describe('Dotted path of the offending field.'),
              location: z.enum(['body', 'query', 'path', 'header']).optional(),
              issue: z.string(),
              message: z.string(),
            })
            .catchall(z.unknown()),
        )
        .describe('One entry per problem; for validation errors, one per bad field.'),
    }),
  })
  .meta({ id: 'Error' });

/** The list envelope, identical on every list route. */
export function listSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      data: z.array(item),
      has_more: z.boolean(),
      next_cursor: z.string().nullable().describe('Pass as cursor to get the next page; null on the last page.'),
    })
    .meta({ id });
}
