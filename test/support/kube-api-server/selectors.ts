/** Label and field selectors as the Kubernetes API server understands them (the common subset). */

type Obj = Record<string, unknown>;
type Pred = (o: Obj) => boolean;

function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

export class SelectorError extends Error {}

export function parseLabelSelector(s: string | null): Pred {
  if (!s) return () => true;
  const preds: Pred[] = splitTerms(s).map((t) => {
    const labels = (o: Obj) => ((o.metadata as Obj | undefined)?.labels ?? {}) as Record<string, string>;
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
    if (m) {
      const [, k, op, vs] = m as unknown as [string, string, string, string];
      const set = new Set(vs.split(',').map((v) => v.trim()));
      return op === 'in' ? (o: Obj) => set.has(labels(o)[k] as string) : (o: Obj) => !set.has(labels(o)[k] as string);
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(t);
    if (m) {
      const [, k, op, v] = m as unknown as [string, string, string, string];
      return op === '!=' ? (o: Obj) => labels(o)[k] !== v : (o: Obj) => labels(o)[k] === v;
    }
    m = /^(!?)([\w./-]+)$/.exec(t);
    if (m) {
      const [, neg, k] = m as unknown as [string, string, string];
      return neg ? (o: Obj) => !(k in labels(o)) : (o: Obj) => k in labels(o);
    }
    throw new SelectorError(`unable to parse requirement: "${t}"`);
  });
  return (o) => preds.every((p) => p(o));
}

function fieldValue(o: Obj, path: string): string {
  let cur: unknown = o;
  for (const p of path.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Obj)[p] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

export function parseFieldSelector(s: string | null): Pred {
  if (!s) return () => true;
  const preds: Pred[] = splitTerms(s).map((t) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw new SelectorError(`invalid field selector: "${t}"`);
    const [, path, op, v] = m as unknown as [string, string, string, string];
    return op === '!=' ? (o: Obj) => fieldValue(o, path) !== v : (o: Obj) => fieldValue(o, path) === v;
  });
  return (o) => preds.every((p) => p(o));
}
