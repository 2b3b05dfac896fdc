/**
 * What changed in one view between two published tables, computed once per
 * publish (not per client): per type, the names whose resource is new or
 * differs, and the names that vanished. Streams intersect it with their own
 * subscription, so a change to one resource costs each client O(changed).
 */
import type { Resource, ResourceTable } from './resource';

export interface TypeChanges {
  /** New or changed resources (canonical name strings of the new table). */
  readonly changed: ReadonlySet<string>;
  /** Names present before, absent now. */
  readonly removed: ReadonlySet<string>;
}

export interface ViewChanges {
  /** No previous table to compare with: every name of every type may have changed. */
  readonly all: boolean;
  readonly byType: ReadonlyMap<string, TypeChanges>;
}

export const ALL_CHANGED: ViewChanges = { all: true, byType: new Map() };

const NONE: ReadonlyMap<string, Resource> = new Map();

/** Compares two tables; a type whose map is the same object is skipped without a walk. */
export function viewChanges(prev: ResourceTable | undefined, next: ResourceTable): ViewChanges {
  if (!prev) return ALL_CHANGED;
  const byType = new Map<string, TypeChanges>();
  const types = new Set([...prev.keys(), ...next.keys()]);
  for (const t of types) {
    const before = prev.get(t) ?? NONE;
    const after = next.get(t) ?? NONE;
    if (before === after) continue;
    const changed = new Set<string>();
    const removed = new Set<string>();
    for (const r of after.values()) {
      const old = before.get(r.name);
      if (old !== r && old?.version !== r.version) changed.add(r.name);
    }
    for (const name of before.keys()) if (!after.has(name)) removed.add(name);
    if (changed.size || removed.size) byType.set(t, { changed, removed });
  }
  return { all: false, byType };
}

/** Names of resources that changed or vanished, as translators report them (e.g. the pipeline's ViewUpdate). */
export interface ChangeHints {
  readonly changed: readonly { readonly typeUrl: string; readonly name: string }[];
  readonly removed: readonly { readonly typeUrl: string; readonly name: string }[];
}

/**
 * viewChanges() from a list of possibly changed names instead of a walk over
 * every resource: O(hinted names). Each hinted name is checked against both
 * tables, so a name reported but unchanged (changed and changed back within
 * one debounce window) is not included. Only valid when every difference
 * between `prev` and `next` is among the hints.
 */
export function viewChangesFromHints(prev: ResourceTable | undefined, next: ResourceTable, hints: readonly ChangeHints[]): ViewChanges {
  if (!prev) return ALL_CHANGED;
  const byType = new Map<string, { changed: Set<string>; removed: Set<string> }>();
  const visit = (typeUrl: string, name: string): void => {
    const before = prev.get(typeUrl) ?? NONE;
    const after = next.get(typeUrl) ?? NONE;
    if (before === after) return;
    const old = before.get(name);
    const now = after.get(name);
    let c = byType.get(typeUrl);
    if (now) {
      if (old === now || old?.version === now.version) return;
      if (!c) byType.set(typeUrl, (c = { changed: new Set(), removed: new Set() }));
      c.changed.add(now.name);
    } else if (old) {
      if (!c) byType.set(typeUrl, (c = { changed: new Set(), removed: new Set() }));
      c.removed.add(old.name);
    }
  };
  for (const h of hints) {
    for (const id of h.changed) visit(id.typeUrl, id.name);
    for (const id of h.removed) visit(id.typeUrl, id.name);
  }
  return { all: false, byType };
}

/** Adds to `into` every name of `a` that `inScope` accepts, walking the smaller side when `b` is a set. */
export function addIntersection(into: Set<string>, changed: ReadonlySet<string>, sub: ReadonlySet<string>): void {
  if (changed.size <= sub.size) {
    for (const n of changed) if (sub.has(n)) into.add(n);
  } else {
    for (const n of sub) if (changed.has(n)) into.add(n);
  }
}

/** The view's own string for a name when the view has that resource (so clients share it), else the name itself. */
export function intern(byName: ReadonlyMap<string, Resource> | undefined, name: string): string {
  return byName?.get(name)?.name ?? name;
}
