/**
 * Reads one file's text into raw objects: multi-document YAML (JSON is YAML),
 * `kind: List` items flattened. Syntax errors come back as values with 1-based
 * line and column; documents after a broken one still parse where YAML allows.
 */
import { parseAllDocuments } from 'yaml';
import type { Origin, SourceError } from '../source';

export interface RawDocument {
  readonly origin: Origin & { source: 'file' };
  readonly raw: unknown;
}

export interface ParsedFile {
  readonly docs: RawDocument[];
  readonly errors: SourceError[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseFileText(file: string, text: string): ParsedFile {
  const docs: RawDocument[] = [];
  const errors: SourceError[] = [];
  let all;
  try {
    all = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    errors.push({ message: `${file}: ${(e as Error).message}`, origin: { source: 'file', file, document: 0 } });
    return { docs, errors };
  }
  const list = Array.isArray(all) ? all : [];
  if (!Array.isArray(all)) {
    // EmptyStream: no documents, possibly with errors.
    for (const err of (all as { errors: { message: string; linePos?: { line: number; col: number }[] }[] }).errors) {
      const pos = err.linePos?.[0];
      errors.push({ message: `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${err.message.split('\n')[0]}`, origin: { source: 'file', file, document: 0 }, line: pos?.line, column: pos?.col });
    }
  }
  list.forEach((doc, document) => {
    const origin = { source: 'file' as const, file, document };
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = err.linePos?.[0];
        errors.push({
          message: `${file}${pos ? `:${pos.line}:${pos.col}` : ''} document ${document}: YAML syntax error: ${err.message.split('\n')[0]}`,
          origin,
          line: pos?.line,
          column: pos?.col,
        });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      errors.push({ message: `${file} document ${document}: ${(e as Error).message}`, origin });
      return;
    }
    if (value === null || value === undefined) return; // empty document, e.g. a trailing '---'
    // `kind: List`, and typed lists such as ServiceList as `kubectl get -o yaml` writes them.
    const isList = isRecord(value) && (value.kind === 'List' || (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)));
    if (isList) {
      const items = (value as { items?: unknown }).items;
      if (!Array.isArray(items)) {
        errors.push({ message: `${file} document ${document}: field items: a List needs an items array`, origin, field: 'items' });
        return;
      }
      items.forEach((raw, item) => docs.push({ origin: { ...origin, item }, raw }));
      return;
    }
    docs.push({ origin, raw: value });
  });
  return { docs, errors };
}
