import { diffTaskState, taskStateOf } from './workflow-diff';

const task = (initialData: Record<string, unknown>, steps: Record<string, unknown> = {}, other: Record<string, unknown> = {}) =>
  taskStateOf({ document: { initial_data: initialData, untracked: 'x' }, APBookeeper_step_status: steps, ...other } as never);

describe('workflow diff', () => {
  it('keeps only the followed invoice fields and the step counters', () => {
    expect(task({ invoiceReference: 'INV-1', notFollowed: 1 }, { step_extract_data: 1 }, { status: 'x' })).toEqual({
      invoice: { invoiceReference: 'INV-1' },
      steps: { step_extract_data: 1 },
    });
  });

  it('names exactly the changed invoice fields and steps', () => {
    const before = task({ invoiceReference: 'INV-1', currency: 'EUR', VATAmount: 10 }, { a: 1, b: 2 });
    const after = task({ invoiceReference: 'INV-2', currency: 'USD', VATAmount: 10 }, { a: 1, b: 3 });
    expect(diffTaskState(before, after)).toEqual({ invoice: { invoiceReference: 'INV-2', currency: 'USD' }, steps: { b: 3 } });
  });

  it('sees no change when nothing followed changed, whatever the key order', () => {
    const before = task({ VATPercentages: { a: 1, b: 2 } }, { a: 1 }, { status: 'x' });
    const after = task({ VATPercentages: { b: 2, a: 1 }, notFollowed: 9 }, { a: 1 }, { status: 'y' });
    expect(diffTaskState(before, after)).toEqual({ invoice: {}, steps: {} });
  });

  it('reports a removed field as null and a new one with its value', () => {
    expect(diffTaskState(task({ sender: 'A' }), task({ recipient: 'B' }))).toEqual({ invoice: { sender: null, recipient: 'B' }, steps: {} });
  });
});
