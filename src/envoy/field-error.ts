/**
 * One problem found in an Envoy resource, with the path of the offending
 * field in snake_case proto3 JSON form, for example
 * `filter_chains[0].filters[1].typed_config.route_config.virtual_hosts[2].domains[0]`.
 */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/**
 * A mutable stack of path segments. Walkers push/pop segments while they
 * descend and only build a path string when an error is reported, so the
 * hot path allocates nothing for paths.
 */
export class PathStack {
  private readonly segs: (string | number)[] = [];
  constructor(private readonly base = '') {}

  push(seg: string | number): void { this.segs.push(seg); }
  pop(): void { this.segs.pop(); }
  get depth(): number { return this.segs.length; }

  /** Renders the current path, optionally with one more segment appended. */
  render(extra?: string | number): string {
    let out = this.base;
    const n = this.segs.length;
    for (let i = 0; i <= n; i++) {
      const s = i < n ? this.segs[i] : extra;
      if (s === undefined) continue;
      out = appendSegment(out, s);
    }
    return out;
  }
}

/** Appends a field name (`a.b`), a list index (`a[0]`) or a map key (`a["k"]`). */
export function appendSegment(path: string, seg: string | number): string {
  if (typeof seg === 'number') return `${path}[${seg}]`;
  if (seg.startsWith('[')) return path + seg;
  return path ? `${path}.${seg}` : seg;
}

/** A map key as a path segment: `["key"]`. */
export function mapKeySegment(key: string): string {
  return `[${JSON.stringify(key)}]`;
}

export function formatFieldErrors(errors: readonly FieldError[], max = 20): string {
  const lines = errors.slice(0, max).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
  if (errors.length > max) lines.push(`… and ${errors.length - max} more`);
  return lines.join('\n');
}
