/**
 * Reading and checking sampler options. A bad option is a programming error, so
 * every check throws `TypeError` with a message naming the sampler and the option.
 * Internal to the samplers; not part of the public surface.
 */

/** Constraints an option value must meet. */
interface NumberRule {
  /** Smallest allowed value. */
  min?: number;
  /** When true, `min` itself is not allowed. */
  exclusiveMin?: boolean;
  /** Largest allowed value. */
  max?: number;
  /** When true, the value must be an integer. */
  integer?: boolean;
}

/** Throws `TypeError` unless `options` is an object or undefined. */
export function checkOptionsObject(sampler: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${sampler} sampler: options must be an object, got ${options === null ? 'null' : typeof options}.`);
  }
}

/**
 * Returns `value`, or `fallback` when it is undefined, after checking it is a finite
 * number that meets `rule`.
 */
export function numberOption(sampler: string, name: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
  if (value === undefined) return fallback;
  const { min, exclusiveMin = false, max, integer = false } = rule;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (min === undefined || (exclusiveMin ? value > min : value >= min)) &&
    (max === undefined || value <= max);
  if (!ok) {
    const parts: string[] = [integer ? 'an integer' : 'a finite number'];
    if (min !== undefined) parts.push(`${exclusiveMin ? '>' : '>='} ${min}`);
    if (max !== undefined) parts.push(`<= ${max}`);
    throw new TypeError(`${sampler} sampler: option ${name} must be ${parts.join(' ')}, got ${String(value)}.`);
  }
  return value as number;
}

/** Returns `value`, or `fallback` when it is undefined, after checking it is a boolean. */
export function booleanOption(sampler: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`${sampler} sampler: option ${name} must be true or false, got ${String(value)}.`);
  }
  return value;
}
