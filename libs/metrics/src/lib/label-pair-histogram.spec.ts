import { seededRandom } from '@suite/testing';
import { Histogram, Registry } from 'prom-client';
import { LabelPairHistogram } from './label-pair-histogram';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

/** Sample lines, sorted: the comparison does not depend on the order series are written in, and a line written twice shows. */
function samples(text: string): string[] {
  return text
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .sort();
}

function headers(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('#'));
}

describe('LabelPairHistogram', () => {
  it('renders, in a prom-client registry, what a prom-client Histogram renders for the same observations', async () => {
    const registry = new Registry();
    const reference = new Histogram({ name: 'rpc_seconds', help: 'latency \\ by "method"\nand code', labelNames: ['method', 'code'] as const, buckets: BUCKETS, registers: [registry] });
    const ours = new Registry();
    const histogram = new LabelPairHistogram({ name: 'rpc_seconds', help: 'latency \\ by "method"\nand code', labelNames: ['method', 'code'], buckets: BUCKETS, registers: [ours] });
    const methods = ['SYSTEM.ping', 'EVENTS.replay', 'odd "quoted" \\ name\nwith a newline', 'unknown'];
    const codes = ['ok', 'INVALID_ARGS', 'TIMEOUT'];
    const next = seededRandom(7);
    for (let i = 0; i < 5000; i++) {
      const method = methods[Math.floor(next() * methods.length)];
      const code = codes[Math.floor(next() * codes.length)];
      // Values on every side of every bound, bounds themselves included (le is inclusive).
      const value = next() < 0.1 ? BUCKETS[Math.floor(next() * BUCKETS.length)] : next() ** 4 * 200;
      reference.observe({ method, code }, value);
      histogram.observe(method, code, value);
    }
    const expected = await registry.metrics();
    const actual = await ours.metrics();
    expect(headers(actual)).toEqual(headers(expected));
    expect(samples(actual)).toEqual(samples(expected));
    expect(samples(actual)).toHaveLength(methods.length * codes.length * (BUCKETS.length + 3));
  });

  it('renders only its header before any observation', async () => {
    const registry = new Registry();
    new LabelPairHistogram({ name: 'empty_seconds', help: 'nothing yet', labelNames: ['a', 'b'], buckets: [1], registers: [registry] });
    expect(await registry.metrics()).toBe('# HELP empty_seconds nothing yet\n# TYPE empty_seconds histogram\n');
  });

  it('is one metric of the registry among the others, and a name taken twice is refused', async () => {
    const registry = new Registry();
    new Histogram({ name: 'other_seconds', help: 'another', buckets: [1], registers: [registry] }).observe(0.5);
    const histogram = new LabelPairHistogram({ name: 'fast_seconds', help: 'fast', labelNames: ['a', 'b'], buckets: [1], registers: [registry] });
    histogram.observe('x', 'y', 2);
    const text = await registry.metrics();
    expect(text).toContain('other_seconds_count 1');
    expect(text).toContain('fast_seconds_bucket{le="+Inf",a="x",b="y"} 1');
    expect(() => new LabelPairHistogram({ name: 'fast_seconds', help: 'again', labelNames: ['a', 'b'], buckets: [1], registers: [registry] })).toThrow(/already been registered/);
  });

  it('refuses a value that is not a finite number, buckets out of order, and the reserved label le', () => {
    const histogram = new LabelPairHistogram({ name: 'x_seconds', help: 'x', labelNames: ['a', 'b'], buckets: [1, 2] });
    expect(() => histogram.observe('a', 'b', Number.NaN)).toThrow(TypeError);
    expect(() => new LabelPairHistogram({ name: 'y_seconds', help: 'y', labelNames: ['a', 'b'], buckets: [2, 1] })).toThrow(TypeError);
    expect(() => new LabelPairHistogram({ name: 'z_seconds', help: 'z', labelNames: ['le', 'b'], buckets: [1] })).toThrow(TypeError);
  });
});
