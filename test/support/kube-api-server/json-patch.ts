/** RFC 6902 JSON Patch (add, remove, replace, move, copy, test) for the test API server. */

export class JsonPatchError extends Error {}

type Json = unknown;
const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => typeof v === 'object' && v !== null;

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer "${p}"`);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, path: string[], op: string): [Record<string, unknown> | unknown[], string] {
  let cur: unknown = doc;
  for (const seg of path.slice(0, -1)) {
    if (!isContainer(cur)) throw new JsonPatchError(`${op}: path segment "${seg}" does not exist`);
    cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
  }
  if (!isContainer(cur)) throw new JsonPatchError(`${op}: parent of /${path.join('/')} does not exist`);
  return [cur, path[path.length - 1] as string];
}

function get(doc: Json, path: string[], op: string): Json {
  let cur: unknown = doc;
  for (const seg of path) {
    if (!isContainer(cur)) throw new JsonPatchError(`${op}: /${path.join('/')} does not exist`);
    cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
    if (cur === undefined) throw new JsonPatchError(`${op}: /${path.join('/')} does not exist`);
  }
  return cur;
}

function remove(doc: Json, path: string[], op: string): Json {
  const [parent, key] = parentOf(doc, path, op);
  const value = get(doc, path, op);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return value;
}

function add(doc: Json, path: string[], value: Json, op: string): Json {
  if (path.length === 0) return structuredClone(value);
  const [parent, key] = parentOf(doc, path, op);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new JsonPatchError(`${op}: index ${key} out of range`);
    parent.splice(i, 0, structuredClone(value));
  } else parent[key] = structuredClone(value);
  return doc;
}

export function applyJsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new JsonPatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const o of ops as { op?: string; path?: string; from?: string; value?: unknown }[]) {
    const op = String(o.op);
    const path = parsePointer(String(o.path ?? ''));
    switch (op) {
      case 'add':
        doc = add(doc, path, o.value, op);
        break;
      case 'remove':
        remove(doc, path, op);
        break;
      case 'replace':
        get(doc, path, op);
        if (path.length === 0) doc = structuredClone(o.value);
        else {
          remove(doc, path, op);
          doc = add(doc, path, o.value, op);
        }
        break;
      case 'move':
        doc = add(doc, path, remove(doc, parsePointer(String(o.from ?? '')), op), op);
        break;
      case 'copy':
        doc = add(doc, path, get(doc, parsePointer(String(o.from ?? '')), op), op);
        break;
      case 'test':
        if (JSON.stringify(get(doc, path, op)) !== JSON.stringify(o.value)) throw new JsonPatchError(`test failed at ${o.path}`);
        break;
      default:
        throw new JsonPatchError(`unknown JSON patch op "${op}"`);
    }
  }
  return doc;
}
