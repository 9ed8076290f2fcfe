import { LogContext, LogFields } from '@suite/logging';
import { performance } from 'node:perf_hooks';

/** A call's place in the deadlines: cancel it once the call has settled. */
export interface Deadline {
  cancel(): void;
}

/** What `abortAll` stops: the call's AbortSignal (LazyAbort). */
export interface Abortable {
  abort(reason: unknown): void;
}

class Entry implements Deadline {
  previous: Entry | undefined;
  next: Entry | undefined;

  constructor(
    readonly queue: Queue,
    readonly at: number,
    readonly expire: () => void,
    readonly abortable: Abortable | undefined,
    /** The log context of the call: its expiry is handled (and logged) in it, not in the timer's. */
    readonly logFields: LogFields,
  ) {}

  cancel(): void {
    this.queue.remove(this);
  }
}

/** The calls of one timeout value, oldest first: in that order they also expire. */
class Queue {
  head: Entry | undefined;
  tail: Entry | undefined;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly timeoutMs: number,
    private readonly onEmpty: (queue: Queue) => void,
  ) {}

  append(entry: Entry): void {
    entry.previous = this.tail;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (!this.timer) this.arm(this.timeoutMs);
  }

  remove(entry: Entry): void {
    if (entry.previous === undefined && this.head !== entry) return; // already removed
    if (entry.previous) entry.previous.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.previous = entry.previous;
    else this.tail = entry.previous;
    entry.previous = entry.next = undefined;
    if (!this.head) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.onEmpty(this);
    }
  }

  private arm(delayMs: number): void {
    // The timer serves every call of the queue: it must not carry the log context of the one that armed it.
    LogContext.outside(() => (this.timer = setTimeout(this.sweep, Math.max(1, Math.ceil(delayMs)))));
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    // Node's timers work in whole milliseconds of the loop's clock: a deadline within the next one is due.
    const now = performance.now() + 1;
    while (this.head && this.head.at <= now) {
      const due = this.head;
      this.remove(due);
      LogContext.run(due.logFields, due.expire);
    }
    // An expiry may have started a call of this timeout, arming a timer for it: the oldest call comes first.
    if (this.head) {
      clearTimeout(this.timer);
      this.arm(this.head.at - performance.now());
    }
  };
}

/**
 * The deadlines of the calls in flight. Calls with the same timeout expire in the order they
 * started, so each timeout value keeps a linked list and one timer, armed for its oldest call:
 * starting and settling a call costs a few pointer writes, where a Node timer per call cost about
 * 1.5 us (an async resource tracked by AsyncLocalStorage, the loop clock read, list upkeep).
 * Node's own timers are built the same way, one list per duration.
 */
export class CallDeadlines {
  private readonly queues = new Map<number, Queue>();
  private readonly dropQueue = (queue: Queue): void => {
    this.queues.delete(queue.timeoutMs);
  };

  /**
   * Calls `expire` once `timeoutMs` have passed, unless the returned deadline is cancelled first.
   * `abortable` is what `abortAll` stops while the call is in flight.
   */
  start(timeoutMs: number, expire: () => void, abortable?: Abortable): Deadline {
    let queue = this.queues.get(timeoutMs);
    if (!queue) {
      queue = new Queue(timeoutMs, this.dropQueue);
      this.queues.set(timeoutMs, queue);
    }
    const entry = new Entry(queue, performance.now() + timeoutMs, expire, abortable, LogContext.current());
    queue.append(entry);
    return entry;
  }

  /**
   * Aborts every call in flight with `reason` (the gateway's shutdown): their deadlines stay, so a
   * call whose work ignores the signal still answers TIMEOUT when its deadline passes.
   */
  abortAll(reason: unknown): number {
    // Collected first: an abort listener may settle its call, and so change the lists.
    const inFlight: Entry[] = [];
    for (const queue of this.queues.values()) for (let entry = queue.head; entry; entry = entry.next) inFlight.push(entry);
    for (const entry of inFlight) {
      const { abortable } = entry;
      if (abortable) LogContext.run(entry.logFields, () => abortable.abort(reason));
    }
    return inFlight.length;
  }

  /** Calls in flight, for tests and diagnostics. */
  get size(): number {
    let count = 0;
    for (const queue of this.queues.values()) for (let entry = queue.head; entry; entry = entry.next) count++;
    return count;
  }
}
