/**
 * Counts keyed by names that come from a model file (op types, layer types, dtypes). Plain `{}` objects break
 * on names such as `constructor` or `__proto__` (`counts.constructor ?? 0` is a function); a Map has no such
 * keys, and Object.fromEntries makes own data properties, so `__proto__` comes out as an ordinary key.
 */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(key: string, amount = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + amount);
  }

  get size(): number {
    return this.counts.size;
  }

  toObject(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
