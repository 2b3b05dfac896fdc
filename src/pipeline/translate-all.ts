/** Stateless whole-model translation: model + roles → per-view table and errors. */
import type { ClientRole } from '../model/roles';
import { viewKey } from '../model/roles';
import type { MeshModel } from '../model/types';
import type { Compiler } from './compiler';
import { defaultCompiler } from './default-compiler';
import type { ViewResult } from './types';
import { ViewTranslator } from './view-translator';

export function translateAll(model: MeshModel, roles: readonly ClientRole[], compiler: Compiler = defaultCompiler()): Map<string, ViewResult> {
  const out = new Map<string, ViewResult>();
  const intern = new Map();
  const shared = new Map();
  for (const role of roles) {
    const key = viewKey(role);
    if (out.has(key)) continue;
    const u = new ViewTranslator(key, role, compiler, intern, shared).full(model);
    out.set(key, { viewKey: key, role, table: u.table, errors: u.errors });
  }
  return out;
}
