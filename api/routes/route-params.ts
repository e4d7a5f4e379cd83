import { z } from 'zod';
import { ID_PREFIXES, IdKind, isId } from '../../core/ids/ids';

/** `{id}` path parameter that must look like an ID of `kind`, so a malformed ID is a 400, not a lookup. */
export function idParam(kind: IdKind) {
  return z.object({
    id: z
      .string()
      .refine((v) => isId(kind, v), { message: `must be an ID of the form ${ID_PREFIXES[kind]}_…` })
      .describe(`${ID_PREFIXES[kind]}_… ID`),
  });
}
