/**
 * Adapter from Tower's real pipeline (src/pipeline MeshTranslator, roles
 * from src/model/roles) to the bench's BenchTranslator interface: the mesh
 * goes in as Service and EndpointSlice upserts, the simulated Envoys' view is
 * added from the same node metadata they announce.
 */
import { roleFromNode, viewKey } from '../src/model/roles';
import { MeshTranslator } from '../src/pipeline/mesh-translator';
import type { ResourceTable } from '../src/xds/resource';
import { nowMs } from './clock';
import { benchNodeMetadata } from './mesh';
import type { BenchTranslator } from './translator-adapter';

export function pipelineTranslator(namespace = 'default'): BenchTranslator {
  const mt = new MeshTranslator();
  let errors = 0;
  let phases = { modelMs: NaN, viewMs: NaN };
  const t: BenchTranslator & { errors: () => number } = {
    kind: 'pipeline',
    build(services, slices) {
      const t0 = nowMs();
      mt.update([...services, ...slices].map((object) => ({ type: 'upsert' as const, object })));
      const t1 = nowMs();
      const u = mt.addView(roleFromNode({ id: 'bench-sample', metadata: benchNodeMetadata(namespace), user_agent_name: 'envoy' }));
      phases = { modelMs: t1 - t0, viewMs: nowMs() - t1 };
      errors = u.errors.length + mt.modelErrors().length;
      return new Map<string, ResourceTable>([[u.viewKey, u.table]]);
    },
    updateSlice(slice) {
      const r = mt.update([{ type: 'upsert', object: slice }]);
      return new Map(r.views.map((v) => [v.viewKey, v.table]));
    },
    updateSliceWithChanges(slice) {
      const r = mt.update([{ type: 'upsert', object: slice }]);
      return new Map(r.views.map((v) => [v.viewKey, { table: v.table, changed: v.changed, removed: v.removed }]));
    },
    selectView: (node) => viewKey(roleFromNode(node)),
    errors: () => errors,
    lastBuildPhases: () => phases,
  };
  return t;
}
