/** The layers of the suite, from the bottom: a project may depend on its own layer or below. */
export const LAYERS = ['type:core', 'type:infra', 'type:domain', 'type:app'] as const;

/** The part of Nx's project graph the rules read. */
export interface GraphView {
  nodes: Record<string, { type: string; data: { tags?: string[] } }>;
  dependencies: Record<string, Array<{ target: string }>>;
}

export interface Violation {
  source: string;
  target: string;
  rule: 'app-depends-on-app' | 'depends-upward';
}

/** Edges between the workspace's own projects (npm packages are not nodes of the graph). */
export function internalEdges(graph: GraphView): Array<{ source: string; target: string }> {
  return Object.entries(graph.dependencies).flatMap(([source, deps]) =>
    deps.filter((dep) => graph.nodes[dep.target] && dep.target !== source).map((dep) => ({ source, target: dep.target })),
  );
}

/** Every edge that breaks a layer rule: an app depending on another app, or a project on a higher layer. */
export function layerViolations(graph: GraphView): Violation[] {
  const tagsOf = (name: string) => graph.nodes[name]?.data.tags ?? [];
  const layer = (name: string) => LAYERS.findIndex((tag) => tagsOf(name).includes(tag));
  const violations: Violation[] = [];
  for (const { source, target } of internalEdges(graph)) {
    if (graph.nodes[target].type === 'app' || tagsOf(target).includes('type:app')) {
      violations.push({ source, target, rule: 'app-depends-on-app' });
      continue;
    }
    if (layer(source) >= 0 && layer(target) > layer(source)) violations.push({ source, target, rule: 'depends-upward' });
  }
  return violations;
}
