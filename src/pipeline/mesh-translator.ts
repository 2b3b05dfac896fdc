/**
 * The incremental pipeline: objects in, per-view ResourceTables out.
 *
 *   const mt = new MeshTranslator();
 *   mt.addView(roleFromNode(node));           // → viewKey (idempotent)
 *   const r = mt.update([{ type: 'upsert', object: slice }]);
 *   r.views  // ViewUpdate per view whose table or errors changed
 *
 * An EndpointSlice change re-runs only that service's ClusterLoadAssignment
 * builders; a Service change re-runs that service's resources and the
 * mesh-wide ones (listeners, route tables), which are re-encoded only if
 * their JSON changed. Unchanged resources keep their Resource object.
 */
import { ModelBuilder, defaultMeshConfig, type ModelDelta, type ObjectChange } from '../model/model-builder';
import { viewKey as viewKeyOf, type ClientRole } from '../model/roles';
import type { MeshConfig, MeshModel, ModelError } from '../model/types';
import type { ResourceTable } from '../xds/resource';
import type { Compiler } from './compiler';
import { defaultCompiler } from './default-compiler';
import type { TranslationError, ViewUpdate } from './types';
import { ViewTranslator, type InternCache, type SharedGroups } from './view-translator';

export interface UpdateResult {
  /** Views whose table changed (or whose errors changed). */
  readonly views: readonly ViewUpdate[];
  /** Every current model error (input problems, with source and field path). */
  readonly modelErrors: readonly ModelError[];
  /** What the change touched in the model. */
  readonly delta: ModelDelta;
}

export interface MeshTranslatorOptions {
  readonly config?: MeshConfig;
  readonly compiler?: Compiler;
}

export class MeshTranslator {
  private readonly builder: ModelBuilder;
  private readonly compiler: Compiler;
  private readonly intern: InternCache = new Map();
  private readonly shared: SharedGroups = new Map();
  private readonly views = new Map<string, ViewTranslator>();
  private readonly lastErrors = new Map<string, string>();

  constructor(opts: MeshTranslatorOptions = {}) {
    this.builder = new ModelBuilder(opts.config ?? defaultMeshConfig);
    this.compiler = opts.compiler ?? defaultCompiler();
  }

  /** Adds a view for a role (no-op if its viewKey exists). Returns the viewKey and the view's current table. */
  addView(role: ClientRole): ViewUpdate {
    const key = viewKeyOf(role);
    const existing = this.views.get(key);
    if (existing) return { viewKey: key, role: existing.role, table: existing.currentTable(), errors: existing.errors(), changed: [], removed: [] };
    const v = new ViewTranslator(key, role, this.compiler, this.intern, this.shared);
    this.views.set(key, v);
    const u = v.full(this.builder.model());
    this.lastErrors.set(key, JSON.stringify(u.errors));
    return u;
  }

  removeView(key: string): boolean {
    this.lastErrors.delete(key);
    return this.views.delete(key);
  }

  viewKeys(): string[] {
    return [...this.views.keys()];
  }

  table(key: string): ResourceTable | undefined {
    return this.views.get(key)?.currentTable();
  }

  errors(key: string): readonly TranslationError[] {
    return this.views.get(key)?.errors() ?? [];
  }

  model(): MeshModel {
    return this.builder.model();
  }

  modelErrors(): ModelError[] {
    return this.builder.errors();
  }

  update(changes: readonly ObjectChange[]): UpdateResult {
    const delta = this.builder.apply(changes);
    const views: ViewUpdate[] = [];
    if (delta.services.size > 0 || delta.endpoints.size > 0 || delta.meshWide) {
      const model = this.builder.model();
      for (const [key, v] of this.views) {
        const u = v.update(model, delta);
        const errs = JSON.stringify(u.errors);
        if (u.changed.length > 0 || u.removed.length > 0 || errs !== this.lastErrors.get(key)) views.push(u);
        this.lastErrors.set(key, errs);
      }
    }
    return { views, modelErrors: this.builder.errors(), delta };
  }
}
