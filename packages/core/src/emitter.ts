/**
 * A minimal typed event emitter. `on()` returns an unsubscribe function and a
 * throwing listener never breaks the emitter or the other listeners: its error is
 * handed to the `onListenerError` hook (default: ignored).
 *
 * @example
 * ```ts
 * type Events = { frame: [Frame]; error: [VidaiError] };
 * const events = new Emitter<Events>();
 * const off = events.on('frame', (f) => console.log(f.seq));
 * events.emit('frame', frame);
 * off();
 * ```
 */
export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<(...args: never[]) => void>>();

  /** @param onListenerError called when a listener throws; defaults to ignoring it. */
  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as (...args: never[]) => void);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs once. */
  once<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes a listener. */
  off<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): void {
    this.listeners.get(event)?.delete(listener as unknown as (...args: never[]) => void);
  }

  /** Calls every listener of `event`; a throwing listener does not stop the others. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as unknown as (...a: Events[K]) => void)(...args);
      } catch (error) {
        try {
          this.onListenerError(error);
        } catch {
          // a broken error hook must not break emission either
        }
      }
    }
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}

/**
 * Base class of vidai's objects with events (pipelines, sources, servers, peers,
 * clients): `on()`, `once()` and `off()` for everyone, `emit` only for the object itself
 * (through the protected {@link Evented.events}), so a user cannot fake an event.
 *
 * @example
 * ```ts
 * const off = pipeline.on('result', (r) => console.log(r.detections.length));
 * off(); // unsubscribe
 * ```
 */
export abstract class Evented<Events extends { [K in keyof Events]: unknown[] }> {
  /** The emitter behind `on`/`once`/`off`; subclasses emit through it. */
  protected readonly events = new Emitter<Events>();

  /** Adds a listener; returns a function that removes it. A throwing listener never breaks the object. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Adds a listener that runs once; returns a function that removes it. */
  once<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    return this.events.once(event, listener);
  }

  /** Removes a listener added with `on` or `once`'s own function. */
  off<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): void {
    this.events.off(event, listener);
  }
}
