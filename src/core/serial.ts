// Work that must not overlap runs one piece after another, in call order. Each caller gets
// the promise of its own work, its error included, and is the one to handle it; the queue
// only waits for the previous piece to settle, so a failure neither stops the queue nor
// reaches anyone twice (or as an unhandled rejection).
const settled = (): void => undefined;

export class Serial {
  #tail: Promise<void> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.then(settled, settled);
    return result;
  }
}

/** One `Serial` per key, forgotten once its queue is empty. */
export class KeyedSerial {
  readonly #queues = new Map<string, { serial: Serial; pending: number }>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let queue = this.#queues.get(key);
    if (!queue) this.#queues.set(key, (queue = { serial: new Serial(), pending: 0 }));
    queue.pending++;
    const q = queue;
    return q.serial.run(work).finally(() => {
      if (--q.pending === 0 && this.#queues.get(key) === q) this.#queues.delete(key);
    });
  }
}
