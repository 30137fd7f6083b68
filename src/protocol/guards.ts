/**
 * Small runtime guards for messages that cross a trust boundary (webview <-> host). Each guard checks
 * every field; `object<T>()` is typed against T so a guard cannot drift from the type it checks.
 */
export type Guard<T> = (value: unknown) => value is T;

export const isString: Guard<string> = (v): v is string => typeof v === 'string';
export const isBoolean: Guard<boolean> = (v): v is boolean => typeof v === 'boolean';
export const isNumber: Guard<number> = (v): v is number => typeof v === 'number' && !Number.isNaN(v);
export const isUnknown: Guard<unknown> = (_v): _v is unknown => true;

export function isInteger(min = -Infinity, max = Infinity): Guard<number> {
  return (v): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
}

export function literal<const L extends readonly (string | number | boolean)[]>(...values: L): Guard<L[number]> {
  return (v): v is L[number] => values.includes(v as L[number]);
}

export function nullable<T>(guard: Guard<T>): Guard<T | null> {
  return (v): v is T | null => v === null || guard(v);
}

/** For optional fields: absent (undefined) or valid. */
export function optional<T>(guard: Guard<T>): Guard<T | undefined> {
  return (v): v is T | undefined => v === undefined || guard(v);
}

export function arrayOf<T>(guard: Guard<T>, maxLength = 100_000): Guard<readonly T[]> {
  return (v): v is readonly T[] => Array.isArray(v) && v.length <= maxLength && v.every((item) => guard(item));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];
type OptionalKeys<T> = Exclude<keyof T, RequiredKeys<T>>;

/**
 * Every required field needs a guard (so the compiler flags a new required field); optional fields may be
 * left out, and then whoever reads the value must not rely on them (reports gain optional extras).
 */
type Shape<T> = { readonly [K in RequiredKeys<T>]-?: Guard<T[K]> } & { readonly [K in OptionalKeys<T>]?: Guard<T[K]> };

/** An object whose listed fields pass their guards; unlisted fields are allowed (reports may grow). */
export function object<T>(shape: Shape<T>): Guard<T> {
  const entries = Object.entries(shape as Record<string, Guard<unknown>>);
  return (v): v is T => isPlainObject(v) && entries.every(([key, guard]) => guard(v[key]));
}

/** JSON-compatible value (a prompt's JSON Schema), bounded in depth so a hostile message cannot recurse forever. */
export function isJsonObject(v: unknown, depth = 0): v is Record<string, unknown> {
  return isPlainObject(v) && depth < 32 && Object.values(v).every((item) => isJsonValue(item, depth + 1));
}

function isJsonValue(v: unknown, depth: number): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return depth < 32 && v.every((item) => isJsonValue(item, depth + 1));
  return isJsonObject(v, depth);
}
