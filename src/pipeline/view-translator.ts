/**
 * One view (clients sharing a viewKey): runs its role builder, compiles what
 * changed, keeps the last good version of resources that fail, drops
 * resources with dangling references, and publishes a ResourceTable.
 *
 * Output is grouped by what it depends on: per service spec ("s:<key>"), per
 * service endpoints ("e:<key>") and mesh-wide ("m"); an update re-runs only the
 * groups a ModelDelta touches. A resource whose JSON text is unchanged keeps
 * its Resource object (same bytes, no re-encode).
 */
import { TypeUrl } from '../envoy/type-urls';
import type { ModelDelta } from '../model/model-builder';
import type { ClientRole } from '../model/roles';
import type { MeshModel } from '../model/types';
import type { Resource, ResourceTable, SourceRef } from '../xds/resource';
import { translatorFor } from '../../translators/registry';
import type { ResourceSpec, RoleTranslator } from '../../translators/types';
import type { Compiler } from './compiler';
import { jsonEqual } from './json-equal';
import { OverlayMap } from './overlay-map';
import type { ResourceId, TranslationError, ViewUpdate } from './types';

interface Entry {
  readonly resource: Resource;
  /** The spec JSON the resource was compiled from (builders never mutate it). */
  readonly json: unknown;
}

/** Compiled resources shared by every view: identical JSON → the same Resource object. */
export type InternCache = Map<string, Entry>;

/** Per-service builder output shared by views with the same share key, valid while the model objects are the same. */
export type SharedGroups = Map<string, { readonly svc: unknown; readonly eps: unknown; readonly specs: ResourceSpec[] }>;

function idOf(typeUrl: string, name: string): string {
  return `${typeUrl}\u0000${name}`;
}

export class ViewTranslator {
  private readonly t: RoleTranslator;
  private readonly groups = new Map<string, ResourceSpec[]>();
  private readonly owner = new Map<string, string>();
  /** Last good compiled version per resource id. */
  private readonly good = new Map<string, Entry & { sources: readonly SourceRef[] }>();
  /** Current spec per resource id. */
  private readonly specs = new Map<string, ResourceSpec>();
  private readonly invalid = new Map<string, TranslationError>();
  private readonly duplicates = new Map<string, TranslationError>();
  private dangling = new Map<string, TranslationError>();
  private meshDeps: ReadonlySet<string> = new Set();
  private table: Map<string, ReadonlyMap<string, Resource>> = new Map();

  constructor(
    readonly viewKey: string,
    readonly role: ClientRole,
    private readonly compiler: Compiler,
    private readonly intern: InternCache = new Map(),
    private readonly shared: SharedGroups = new Map(),
  ) {
    this.t = translatorFor(role);
  }

  /** Translates everything (first time) — equivalent to an update where every service changed. */
  full(model: MeshModel): ViewUpdate {
    const keys = new Set([...Object.keys(model.services), ...[...this.groups.keys()].filter((g) => g !== 'm').map((g) => g.slice(2))]);
    return this.update(model, { services: keys, endpoints: keys, meshWide: true });
  }

  update(model: MeshModel, delta: ModelDelta): ViewUpdate {
    const touched = new Set<string>();
    const shareService = this.t.shareKey(this.role, 'service');
    const shareEndpoints = this.t.shareKey(this.role, 'endpoints');
    const cached = (group: string, svc: unknown, eps: unknown, make: () => ResourceSpec[]): ResourceSpec[] => {
      const k = `${group.startsWith('e:') ? shareEndpoints : shareService}|${group}`;
      const c = this.shared.get(k);
      if (c && c.svc === svc && c.eps === eps) return c.specs;
      const specs = make();
      this.shared.set(k, { svc, eps, specs });
      return specs;
    };
    for (const key of delta.services) {
      const svc = model.services[key];
      if (!svc) this.shared.delete(`${shareService}|s:${key}`);
      this.replaceGroup(`s:${key}`, svc ? cached(`s:${key}`, svc, undefined, () => this.t.service(svc, this.role, model)) : [], touched);
    }
    for (const key of delta.endpoints) {
      const svc = model.services[key];
      const eps = model.endpoints[key];
      if (!svc) this.shared.delete(`${shareEndpoints}|e:${key}`);
      this.replaceGroup(`e:${key}`, svc ? cached(`e:${key}`, svc, eps, () => this.t.endpoints(svc, eps, this.role, model)) : [], touched);
    }
    let meshDirty = delta.meshWide || delta.services.size > 0 || !this.groups.has('m');
    if (!meshDirty) for (const k of delta.endpoints) if (this.meshDeps.has(k)) meshDirty = true;
    if (meshDirty) {
      this.replaceGroup('m', this.t.mesh(model, this.role), touched);
      this.meshDeps = this.t.meshReadsEndpointsOf?.(model, this.role) ?? new Set();
    }
    const compiledChanged = new Set<string>();
    for (const id of touched) if (this.compileOne(id)) compiledChanged.add(id);
    return this.publish(compiledChanged);
  }

  private replaceGroup(group: string, specs: ResourceSpec[], touched: Set<string>): void {
    for (const old of this.groups.get(group) ?? []) {
      const id = idOf(old.typeUrl, old.name);
      if (this.owner.get(id) === group) {
        this.owner.delete(id);
        this.specs.delete(id);
        this.duplicates.delete(id);
        touched.add(id);
      }
    }
    const kept: ResourceSpec[] = [];
    for (const s of specs) {
      const id = idOf(s.typeUrl, s.name);
      const other = this.owner.get(id);
      if (other !== undefined && other !== group) {
        this.duplicates.set(id, { typeUrl: s.typeUrl, name: s.name, reason: 'duplicate', sources: s.sources, errors: [{ path: 'name', message: `produced twice (by ${other} and ${group}); the second is ignored` }], servingLastGood: true });
        continue;
      }
      if (other === group) continue; // same group produced it twice: keep the first
      this.owner.set(id, group);
      this.specs.set(id, s);
      kept.push(s);
      touched.add(id);
    }
    if (kept.length > 0) this.groups.set(group, kept);
    else this.groups.delete(group);
  }

  /** Compiles a touched resource if its JSON changed. Returns whether the last-good entry changed. */
  private compileOne(id: string): boolean {
    const spec = this.specs.get(id);
    const prev = this.good.get(id);
    if (!spec) {
      this.invalid.delete(id);
      return this.good.delete(id);
    }
    if (prev && jsonEqual(prev.json, spec.json)) {
      this.invalid.delete(id);
      return false;
    }
    let entry = this.intern.get(id);
    if (!entry || !jsonEqual(entry.json, spec.json)) {
      const r = this.compiler.compile(spec.typeUrl, spec.name, spec.json, spec.sources);
      if (!r.ok) {
        this.invalid.set(id, { typeUrl: spec.typeUrl, name: spec.name, reason: 'invalid', sources: spec.sources, errors: r.errors, servingLastGood: prev !== undefined });
        return false;
      }
      entry = { resource: r.resource, json: spec.json };
      this.intern.set(id, entry);
    }
    this.invalid.delete(id);
    this.good.set(id, { resource: entry.resource, json: entry.json, sources: spec.sources });
    return true;
  }

  private publish(compiledChanged: ReadonlySet<string>): ViewUpdate {
    const claPrefix = idOf(TypeUrl.ClusterLoadAssignment, '');
    let structural = false;
    for (const id of compiledChanged) {
      if (!id.startsWith(claPrefix)) {
        structural = true;
        break;
      }
    }
    const changed: ResourceId[] = [];
    const removed: ResourceId[] = [];
    let next: Map<string, ReadonlyMap<string, Resource>>;
    if (structural) {
      this.recheckCrossRefs();
      const fresh = new Map<string, Map<string, Resource>>();
      for (const [id, e] of this.good) {
        if (this.dangling.has(id)) continue;
        let m = fresh.get(e.resource.typeUrl);
        if (!m) fresh.set(e.resource.typeUrl, (m = new Map()));
        m.set(e.resource.name, e.resource);
      }
      next = fresh;
      for (const typeUrl of new Set([...this.table.keys(), ...next.keys()])) {
        const before = this.table.get(typeUrl);
        const after = next.get(typeUrl);
        for (const [name, r] of after ?? []) if (before?.get(name) !== r) changed.push({ typeUrl, name });
        for (const name of before?.keys() ?? []) if (!after?.has(name)) removed.push({ typeUrl, name });
      }
    } else {
      // Endpoint-only change: patch the affected type maps (O(changes)); every other map is shared.
      next = new Map(this.table);
      const patches = new Map<string, { sets: [string, Resource][]; deletes: string[] }>();
      for (const id of compiledChanged) {
        const sep = id.indexOf('\u0000');
        const typeUrl = id.slice(0, sep);
        const name = id.slice(sep + 1);
        let p = patches.get(typeUrl);
        if (!p) patches.set(typeUrl, (p = { sets: [], deletes: [] }));
        const e = this.good.get(id);
        const had = this.table.get(typeUrl)?.has(name) ?? false;
        if (e && !this.dangling.has(id)) {
          p.sets.push([name, e.resource]);
          changed.push({ typeUrl, name });
        } else if (had) {
          p.deletes.push(name);
          removed.push({ typeUrl, name });
        }
      }
      for (const [typeUrl, p] of patches) {
        const m = OverlayMap.patch(this.table.get(typeUrl) ?? new Map<string, Resource>(), p.sets, p.deletes);
        if (m.size > 0) next.set(typeUrl, m);
        else next.delete(typeUrl);
      }
    }
    this.table = next;
    return { viewKey: this.viewKey, role: this.role, table: next as ResourceTable, errors: this.errors(), changed, removed };
  }

  /** Drops resources whose references do not resolve, to a fixed point (a dropped route drops its listener). */
  private recheckCrossRefs(): void {
    const dangling = new Map<string, TranslationError>();
    for (let round = 0; round < 5; round++) {
      const view = new Map<string, Map<string, unknown>>();
      for (const [id, e] of this.good) {
        if (dangling.has(id)) continue;
        let m = view.get(e.resource.typeUrl);
        if (!m) view.set(e.resource.typeUrl, (m = new Map()));
        m.set(e.resource.name, e.json);
      }
      const found = this.compiler.crossRefs(view);
      let added = false;
      for (const d of found) {
        const id = idOf(d.typeUrl, d.name);
        const prev = dangling.get(id);
        const sources = this.good.get(id)?.sources ?? [];
        if (prev) (prev.errors as { path: string; message: string }[]).push({ path: d.path, message: d.message });
        else {
          dangling.set(id, { typeUrl: d.typeUrl, name: d.name, reason: 'dangling', sources, errors: [{ path: d.path, message: d.message }], servingLastGood: false });
          added = true;
        }
      }
      if (!added) break;
    }
    this.dangling = dangling;
  }

  errors(): TranslationError[] {
    return [...this.invalid.values(), ...this.duplicates.values(), ...this.dangling.values()].sort((a, b) => (a.typeUrl + a.name < b.typeUrl + b.name ? -1 : 1));
  }

  currentTable(): ResourceTable {
    return this.table;
  }
}
