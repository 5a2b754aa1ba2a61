/** A set that holds at most `limit` values and forgets the oldest first. */
export class BoundedSet<T> {
  private readonly values = new Set<T>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.values.size;
  }

  has(value: T): boolean {
    return this.values.has(value);
  }

  /** Adds the value; false when it was there already. */
  add(value: T): boolean {
    if (this.values.has(value)) return false;
    this.values.add(value);
    // A Set iterates in insertion order: its first value is the oldest.
    if (this.values.size > this.limit) this.values.delete(this.values.values().next().value as T);
    return true;
  }

  deleteWhere(predicate: (value: T) => boolean): void {
    for (const value of this.values) if (predicate(value)) this.values.delete(value);
  }
}
