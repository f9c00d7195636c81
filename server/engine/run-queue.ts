// Runs waiting for capacity, in arrival order; taken from the middle when one is stopped or its capacity frees first.
export class RunQueue<T> {
  private readonly waiting: T[] = [];

  get size(): number {
    return this.waiting.length;
  }

  push(item: T): void {
    this.waiting.push(item);
  }

  remove(item: T): boolean {
    const index = this.waiting.indexOf(item);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  items(): readonly T[] {
    return this.waiting;
  }
}
