/**
 * Chooses the translator the bench processes use to turn the synthetic mesh
 * into per-view ResourceTables: Tower's real pipeline (default), or the
 * bench's stand-in (bench/fallback-translator.ts, --translator fallback) to
 * separate server costs from translation costs. Tower and
 * the baseline use the same one, so both serve the same bytes.
 */
import type { EndpointSlice, Service } from '../src/k8s/types';
import type { ResourceTable } from '../src/xds/resource';
import { FallbackTranslator } from './fallback-translator';
import { pipelineTranslator } from './pipeline-translator';

export interface BenchTranslator {
  /** 'pipeline' (Tower's MeshTranslator) or 'bench-fallback'. */
  readonly kind: string;
  build(services: readonly Service[], slices: readonly EndpointSlice[]): Map<string, ResourceTable>;
  /** One EndpointSlice changed: the views whose tables changed. */
  updateSlice(slice: EndpointSlice): Map<string, ResourceTable>;
  /** Like updateSlice, with what changed in each view (Tower's pipeline reports it; XdsServer.setView uses it). */
  updateSliceWithChanges?(slice: EndpointSlice): Map<string, { table: ResourceTable; changed: readonly { typeUrl: string; name: string }[]; removed: readonly { typeUrl: string; name: string }[] }>;
  /** View key of a node (plain NodeInfo JSON as the xDS server passes it). */
  selectView(node: unknown): string;
  /** Wall milliseconds of the last build's stages (Tower's pipeline: model from objects, then the view's table). */
  readonly lastBuildPhases?: () => { modelMs: number; viewMs: number };
  /** Why the real pipeline was not used, if it was not. */
  readonly note?: string;
}

export function loadTranslator(mode: 'auto' | 'fallback'): BenchTranslator {
  if (mode === 'auto') return pipelineTranslator();
  const f = new FallbackTranslator();
  return {
    kind: f.kind,
    note: 'fallback requested (--translator fallback)',
    build: (s, e) => f.build(s, e),
    updateSlice: (e) => f.updateSlice(e),
    selectView: () => 'sidecar',
  };
}
