/**
 * Typed events whose subscription returns a disposer. Emitting with no listener costs one
 * length check, so the hot path pays nothing when nobody listens.
 */
export type Disposer = () => void;

export class Emitter<T> {
  private listeners: ((value: T) => void)[] = [];

  /** Subscribes; call the returned function to unsubscribe. */
  readonly on = (listener: (value: T) => void): Disposer => {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  };

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  emit(value: T): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) {
      try {
        ls[i]!(value);
      } catch {
        // A listener's failure never breaks the engine.
      }
    }
  }
}
