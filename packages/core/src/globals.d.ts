/**
 * The platform globals that core names in its types. Every runtime vidai supports
 * (browsers, Node >= 22) has them, but core compiles with `lib: ["ES2022"]` and no
 * DOM or Node types, so the parts core uses are declared here. These interfaces
 * merge with the complete declarations of lib.dom or @types/node where present.
 */

/** The part of the platform's `AbortSignal` that core uses. */
interface AbortSignal {
  /** True once the signal has aborted. */
  readonly aborted: boolean;
  /** Why it aborted (`undefined` until then). */
  readonly reason: any;
  /** Adds a listener for the `abort` event. */
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  /** Removes an `abort` listener. */
  removeEventListener(type: 'abort', listener: () => void): void;
}
