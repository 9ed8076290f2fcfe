import { createProjectGraphAsync, ProjectGraph } from '@nx/devkit';

const LAYERS = ['type:core', 'type:infra', 'type:domain', 'type:app'];

describe('the project graph (nx graph)', () => {
  let graph: ProjectGraph;

  beforeAll(async () => {
    process.env['NX_DAEMON'] = 'false';
    graph = await createProjectGraphAsync({ exitOnError: false });
  }, 60_000);

  const tagsOf = (name: string): string[] => graph.nodes[name]?.data.tags ?? [];
  const edges = () =>
    Object.entries(graph.dependencies).flatMap(([source, deps]) =>
      deps.filter((dep) => graph.nodes[dep.target]).map((dep) => ({ source, target: dep.target })),
    );

  it('has the four apps', () => {
    const apps = Object.keys(graph.nodes).filter((name) => graph.nodes[name].type === 'app');
    expect(apps.sort()).toEqual(['cron-scheduler', 'rpc-gateway', 'task-worker', 'workflow-listener']);
  });

  it('has apps depending on libs only, never on another app', () => {
    for (const { source, target } of edges()) {
      if (tagsOf(source).includes('type:app')) expect({ source, target, type: graph.nodes[target].type }).toEqual({ source, target, type: 'lib' });
    }
  });

  it('has libs depending only on their own layer or below', () => {
    const layer = (name: string) => LAYERS.findIndex((tag) => tagsOf(name).includes(tag));
    for (const { source, target } of edges()) {
      if (layer(source) < 0 || layer(target) < 0) continue; // testing and tooling projects
      expect({ source, target, upward: layer(target) > layer(source) }).toEqual({ source, target, upward: false });
    }
  });
});
