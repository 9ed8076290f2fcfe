import { GraphView, layerViolations } from './layer-rules';

function graph(nodes: Record<string, readonly [type: 'app' | 'lib', tag: string]>, edges: Array<[string, string]>): GraphView {
  return {
    nodes: Object.fromEntries(Object.entries(nodes).map(([name, [type, tag]]) => [name, { type, data: { tags: [tag] } }])),
    dependencies: Object.fromEntries(Object.keys(nodes).map((name) => [name, edges.filter(([source]) => source === name).map(([, target]) => ({ target }))])),
  };
}

describe('layer rules', () => {
  const projects = {
    gateway: ['app', 'type:app'],
    worker: ['app', 'type:app'],
    registry: ['lib', 'type:domain'],
    redis: ['lib', 'type:infra'],
    config: ['lib', 'type:core'],
  } as const;

  it('accepts apps on libs and libs on their layer or below', () => {
    const edges: Array<[string, string]> = [['gateway', 'registry'], ['worker', 'redis'], ['registry', 'redis'], ['redis', 'config']];
    expect(layerViolations(graph({ ...projects }, edges))).toEqual([]);
  });

  it('refuses an app that imports another app', () => {
    expect(layerViolations(graph({ ...projects }, [['gateway', 'worker']]))).toEqual([{ source: 'gateway', target: 'worker', rule: 'app-depends-on-app' }]);
  });

  it('refuses a lib that depends on an app', () => {
    expect(layerViolations(graph({ ...projects }, [['registry', 'gateway']]))).toEqual([{ source: 'registry', target: 'gateway', rule: 'app-depends-on-app' }]);
  });

  it('refuses a dependency on a higher layer', () => {
    const violations = layerViolations(graph({ ...projects }, [['config', 'redis'], ['redis', 'registry']]));
    expect(violations).toHaveLength(2);
    expect(violations).toEqual(
      expect.arrayContaining([
        { source: 'config', target: 'redis', rule: 'depends-upward' },
        { source: 'redis', target: 'registry', rule: 'depends-upward' },
      ]),
    );
  });

  it('ignores npm packages, which are not nodes of the graph', () => {
    expect(layerViolations(graph({ ...projects }, [['config', 'npm:ioredis']]))).toEqual([]);
  });
});
