import { LogContext } from '@suite/logging';
import { EndOfTurnSender } from './end-of-turn-sender';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('EndOfTurnSender', () => {
  it('writes what was queued in one turn together at its end, in order', async () => {
    const sender = new EndOfTurnSender(() => undefined);
    const written: string[] = [];
    sender.send(() => written.push('first'));
    await Promise.resolve(); // microtasks of the same turn
    sender.send(() => written.push('second'));
    expect(written).toEqual([]);
    await nextTurn();
    expect(written).toEqual(['first', 'second']);
  });

  it('writes what a write queues in the next turn, and keeps going after each flush', async () => {
    const sender = new EndOfTurnSender(() => undefined);
    const written: string[] = [];
    sender.send(() => {
      written.push('a');
      sender.send(() => written.push('b'));
    });
    await nextTurn();
    expect(written).toEqual(['a']);
    await nextTurn();
    expect(written).toEqual(['a', 'b']);
    sender.send(() => written.push('c'));
    await nextTurn();
    expect(written).toEqual(['a', 'b', 'c']);
  });

  it('writes the rest of a turn when one write throws, and reports it', async () => {
    const failures: unknown[] = [];
    const sender = new EndOfTurnSender((error) => failures.push(error));
    const written: string[] = [];
    sender.send(() => {
      throw new Error('socket gone');
    });
    sender.send(() => written.push('after'));
    await nextTurn();
    expect(written).toEqual(['after']);
    expect(failures).toEqual([new Error('socket gone')]);
  });

  it("writes outside the log context of the call that opened the turn, and survives a failing report", async () => {
    const sender = new EndOfTurnSender(() => {
      throw new Error('logger down');
    });
    const seen: Array<string | undefined> = [];
    LogContext.run({ trace_id: 'first-call' }, () => {
      sender.send(() => seen.push(LogContext.current().trace_id));
      sender.send(() => {
        throw new Error('socket gone');
      });
    });
    LogContext.run({ trace_id: 'second-call' }, () => sender.send(() => seen.push(LogContext.current().trace_id)));
    await nextTurn();
    expect(seen).toEqual([undefined, undefined]);
  });
});
