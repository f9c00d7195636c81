// FIFO of runs waiting for capacity; removal from the middle when a waiting run is stopped.
export class RunQueue<T> {
  private readonly waiting: T[] = [];

  get size(): number {
    return this.waiting.length;
  }

  push(item: T): void {
    this.waiting.push(item);
  }

  shift(): T | undefined {
    return this.waiting.shift();
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
