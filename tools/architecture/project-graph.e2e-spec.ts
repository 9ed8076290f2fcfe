import { createProjectGraphAsync, ProjectGraph } from '@nx/devkit';
import { internalEdges, LAYERS, layerViolations } from './layer-rules';

/** Reads the real project graph (nx graph) of the workspace; the rules themselves are unit-tested beside. */
describe('the project graph (nx graph)', () => {
  let graph: ProjectGraph;

  beforeAll(async () => {
    process.env['NX_DAEMON'] = 'false';
    graph = await createProjectGraphAsync({ exitOnError: false });
  }, 60_000);

  it('has the four apps', () => {
    const apps = Object.keys(graph.nodes).filter((name) => graph.nodes[name].type === 'app');
    expect(apps.sort()).toEqual(['cron-scheduler', 'rpc-gateway', 'task-worker', 'workflow-listener']);
  });

  it('is not empty: every lib has a layer tag, and the apps reach the libs they compose', () => {
    const libs = Object.keys(graph.nodes).filter((name) => graph.nodes[name].type === 'lib' && !['testing', 'tools', 'bench'].includes(name));
    expect(libs.length).toBeGreaterThanOrEqual(15);
    for (const lib of libs) expect({ lib, layered: LAYERS.some((tag) => graph.nodes[lib].data.tags?.includes(tag)) }).toEqual({ lib, layered: true });
    const edges = internalEdges(graph);
    expect(edges).toEqual(expect.arrayContaining([
      { source: 'rpc-gateway', target: 'rpc-server' },
      { source: 'task-worker', target: 'tasks' },
      { source: 'registry', target: 'redis' },
      { source: 'redis', target: 'config' },
    ]));
  });

  it('breaks no layer rule: no app depends on another app, nothing depends upward', () => {
    expect(layerViolations(graph)).toEqual([]);
  });
});
