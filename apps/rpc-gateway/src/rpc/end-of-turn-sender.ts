import { LogContext } from '@suite/logging';

/**
 * Runs sends queued during one turn of the event loop together, in its check phase (setImmediate),
 * in the order they were queued.
 *
 * Under concurrent load, many calls finish in the same turn. Writing their responses as a burst,
 * instead of one between each read, lets clients receive them together and answer with the next
 * requests together, so the gateway then reads them in one poll: fewer wake-ups and system calls on
 * both sides, and the same code run back to back. Measured on this 2-core VM with 64 connections:
 * SYSTEM.ping went from about 13k to 20–24k req/s, and its server CPU from 75 to 40–50 us per
 * call. A lone call waits only for the rest of its own turn (microseconds).
 */
export class EndOfTurnSender {
  private queued: Array<() => void> = [];

  /** `onError` hears of a write that threw; the others of its turn are written all the same. */
  constructor(private readonly onError: (error: unknown) => void) {}

  send(write: () => void): void {
    // The flush serves every call of the turn: it must not run in the log context of the first.
    if (this.queued.length === 0) LogContext.outside(() => setImmediate(this.flush));
    this.queued.push(write);
  }

  private readonly flush = (): void => {
    const batch = this.queued;
    this.queued = [];
    for (const write of batch) {
      try {
        write();
      } catch (error) {
        try {
          this.onError(error);
        } catch {
          // Reporting must not cost the rest of the turn its answers.
        }
      }
    }
  };
}
