import { Schema } from 'mongoose';

/**
 * Document types derived from schema definitions, so each field is declared once.
 *
 * Mongoose's own `InferSchemaType`/`InferRawDocType` are close but not exact for how our models
 * use fields: a `default: null` field comes out optional (`x?: T | null | undefined`) where every
 * stored document has it (`x: T | null`), a field without default gets `| null` it can never hold,
 * and Mixed comes out `any`. `DocOf` maps a definition the way these models are written:
 *
 * - `required: true`, or a non-null `default` → `x: T`
 * - `default: null` → `x: T | null`
 * - neither (fields absent on older documents, e.g. `retention_day`) → `x?: T`
 * - `absentOnOlder({...})` → `x?: T` despite a default (the default applies to new documents only;
 *   lean reads of older ones still lack it)
 *
 * `T` comes from the `type`: String → string, Number → number, Date → Date, Boolean → boolean,
 * `[X]` → X[], `[subSchema]` → the sub-schema's document type. `field.string<U>()` and
 * `field.mixed<U>()` pin a narrower type (a union of strings, the shape of a Mixed value); at
 * runtime they are exactly `String` and `Schema.Types.Mixed`, so validation and storage are
 * unchanged (no `enum` validator is added).
 */

declare const typeHint: unique symbol;
declare const absentHint: unique symbol;

/** A schema type carrying the TypeScript type of its values (type level only). */
type Hinted<Ctor, T> = Ctor & { readonly [typeHint]: T };

export const field = {
  /** `String`, typed as the given string (union) type. */
  string: <T extends string = string>() => String as Hinted<StringConstructor, T>,
  /** `Schema.Types.Mixed`, typed as the shape the code stores there. */
  mixed: <T>() => Schema.Types.Mixed as Hinted<typeof Schema.Types.Mixed, T>,
};

/** Marks a field whose default applies to new documents only: documents written before it lack it. */
export function absentOnOlder<D extends object>(definition: D): D & { readonly [absentHint]: true } {
  return definition as D & { readonly [absentHint]: true };
}

type ValueOf<C> = C extends { readonly [typeHint]: infer T }
  ? T
  : C extends StringConstructor
    ? string
    : C extends NumberConstructor
      ? number
      : C extends DateConstructor
        ? Date
        : C extends BooleanConstructor
          ? boolean
          : C extends Schema<infer Raw>
            ? Raw
            : C extends ReadonlyArray<infer Item>
              ? ValueOf<Item>[]
              : never;

type FieldValue<F> = F extends { type: infer C } ? ValueOf<C> : never;

// `required: true` in a definition object widens to `boolean`: anything but a literal `false` counts, as in mongoose.
type IsRequired<F> = F extends { required: false } ? false : F extends { required: boolean } ? true : false;

type IsOptional<F> = F extends { readonly [absentHint]: true }
  ? true
  : IsRequired<F> extends true
    ? false
    : F extends { default: unknown }
      ? false
      : true;

type IsNullable<F> = IsRequired<F> extends true ? false : F extends { default: null } ? true : false;

type Value<F> = IsNullable<F> extends true ? FieldValue<F> | null : FieldValue<F>;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** The document type a schema definition describes (see above). */
export type DocOf<Def> = Flatten<
  { -readonly [K in keyof Def as IsOptional<Def[K]> extends true ? never : K]: Value<Def[K]> } & {
    -readonly [K in keyof Def as IsOptional<Def[K]> extends true ? K : never]?: Value<Def[K]>;
  }
>;
