/**
 * The file source: a folder of YAML/JSON (recursively), watched for changes.
 * Every change re-scans the tree (files whose size and mtime did not change
 * are not re-read), and the new set of objects is diffed against the previous
 * one: new or changed objects are upserts, vanished ones deletes.
 *
 * A broken file keeps serving what it served before: objects whose new
 * version is invalid are reported ('invalid') and not deleted, and a file with
 * a syntax error or an unnamed invalid document deletes nothing. Deleting or
 * renaming a file away deletes its objects.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { contentHash, defaultKindRegistry, type KindInfo, type KindRegistry, type KubeObject } from '../kinds';
import type { Origin, Source, SourceError, SourceListener } from '../source';
import { describeOrigin, parseObject } from '../validate';
import { DirWatcher } from './dir-watcher';
import { parseFileText } from './parse-file';

export interface FileSourceOptions {
  registry?: KindRegistry;
  /** Debounce for file system events before re-scanning (default 50 ms). */
  debounceMs?: number;
  /** Watch for changes after the initial scan (default true). */
  watch?: boolean;
  /** Namespace for namespaced objects without one (default 'default'). */
  defaultNamespace?: string;
  /** File name endings read (default .yaml, .yml, .json). */
  extensions?: readonly string[];
}

interface Entry {
  readonly key: string;
  readonly object: KubeObject;
  readonly kind: KindInfo;
  readonly origin: Origin & { source: 'file' };
  readonly hash: string;
}

interface FileResult {
  readonly stamp: string;
  readonly entries: Entry[];
  readonly errors: SourceError[];
  /** Keys of documents that were rejected: their previous version is kept. */
  readonly invalidKeys: Map<string, SourceError>;
  /** A syntax error or an unnamed bad document: nothing in this file is deleted. */
  readonly blocking: boolean;
}

export class FileSource implements Source {
  readonly name: string;
  private readonly root: string;
  private readonly registry: KindRegistry;
  private readonly opts: Required<Omit<FileSourceOptions, 'registry'>>;
  private listener: SourceListener = () => {};
  private current = new Map<string, Entry>();
  /** Keys whose latest version was rejected (so a later disappearance clears the store's error). */
  private invalid = new Set<string>();
  private readonly cache = new Map<string, FileResult>();
  private watcher: DirWatcher | undefined;
  private scanning: Promise<void> | undefined;
  private rescanRequested = false;
  private stopped = false;
  private scans = 0;

  constructor(root: string, opts: FileSourceOptions = {}) {
    this.root = path.resolve(root);
    this.name = `files:${this.root}`;
    this.registry = opts.registry ?? defaultKindRegistry();
    this.opts = {
      debounceMs: opts.debounceMs ?? 50,
      watch: opts.watch ?? true,
      defaultNamespace: opts.defaultNamespace ?? 'default',
      extensions: opts.extensions ?? ['.yaml', '.yml', '.json'],
    };
  }

  async start(listener: SourceListener): Promise<void> {
    this.listener = listener;
    const st = await fsp.stat(this.root).catch((e: NodeJS.ErrnoException) => {
      throw new Error(`file source: cannot read directory ${this.root}: ${e.code ?? e.message}`);
    });
    if (!st.isDirectory()) throw new Error(`file source: ${this.root} is not a directory`);
    if (this.opts.watch) {
      this.watcher = new DirWatcher(
        () => void this.rescan(),
        this.opts.debounceMs,
        (dir, err) => this.listener({ type: 'error', error: { message: `watching ${dir}: ${err.message}` } }),
      );
      // Watch the root before the first scan so nothing written during it is missed.
      this.watcher.setDirs([this.root]);
    }
    await this.rescan();
    this.listener({ type: 'synced', source: this.name });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    await this.scanning;
  }

  /** Number of completed scans (for tests and debug pages). */
  get scanCount(): number {
    return this.scans;
  }

  /** Re-scans now; concurrent calls coalesce into one more scan. */
  rescan(): Promise<void> {
    if (this.scanning) {
      this.rescanRequested = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      try {
        do {
          this.rescanRequested = false;
          try {
            await this.scanOnce();
          } catch (e) {
            // Never let a scan failure escape into an unhandled rejection: report it, keep serving.
            this.listener({ type: 'error', error: { message: `file source ${this.root}: scan failed: ${(e as Error).message}` } });
          }
        } while (this.rescanRequested && !this.stopped);
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const dirs: string[] = [];
    const files: string[] = [];
    await this.walk(this.root, dirs, files);
    if (this.stopped) return;
    this.watcher?.setDirs(dirs);
    files.sort();

    const results = new Map<string, FileResult>();
    const fresh = new Set<string>();
    for (const f of files) {
      const r = await this.readFile(f);
      if (!r) continue; // vanished between readdir and read
      results.set(f, r.result);
      if (r.fresh) fresh.add(f);
    }
    for (const f of this.cache.keys()) if (!results.has(f)) this.cache.delete(f);

    const next = new Map<string, Entry>();
    for (const [f, r] of results) {
      if (fresh.has(f)) {
        for (const e of r.errors) this.listener({ type: 'error', error: e });
        for (const [key, e] of r.invalidKeys) this.listener({ type: 'invalid', key, error: e });
      }
      for (const e of r.entries) {
        const first = next.get(e.key);
        if (first) {
          if (fresh.has(f) || fresh.has(first.origin.file)) {
            this.listener({ type: 'error', error: { message: `${describeOrigin(e.origin)}: ${e.key} is already defined in ${describeOrigin(first.origin)}; ignoring this one`, origin: e.origin, key: e.key } });
          }
          continue;
        }
        next.set(e.key, e);
      }
    }
    // Keep last good versions of objects whose new version is broken.
    for (const [key, prev] of this.current) {
      if (next.has(key)) continue;
      const r = results.get(prev.origin.file);
      if (!r) continue; // file gone: its objects go too
      if (r.invalidKeys.has(key) || r.blocking) next.set(key, prev);
    }

    if (this.stopped) return;
    for (const [key, e] of next) {
      const prev = this.current.get(key);
      const moved = prev && (prev.origin.file !== e.origin.file || prev.origin.document !== e.origin.document || prev.origin.item !== e.origin.item);
      if (!prev || prev.hash !== e.hash || moved) this.listener({ type: 'upsert', key, object: e.object, kind: e.kind, origin: e.origin });
    }
    for (const [key, prev] of this.current) {
      if (!next.has(key)) this.listener({ type: 'delete', key, kind: prev.kind, origin: prev.origin });
    }
    const invalid = new Set<string>();
    for (const r of results.values()) for (const k of r.invalidKeys.keys()) invalid.add(k);
    for (const key of this.invalid) {
      if (invalid.has(key) || next.has(key) || this.current.has(key)) continue;
      // Never valid, now gone: tell the store so it drops the error it holds.
      const kind = this.registry.byKind(key.slice(0, key.indexOf('/')));
      if (kind) this.listener({ type: 'delete', key, kind, origin: { source: 'file', file: this.root, document: 0 } });
    }
    this.invalid = invalid;
    this.current = next;
    this.scans++;
  }

  private async walk(dir: string, dirs: string[], files: string[]): Promise<void> {
    let entries;
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.listener({ type: 'error', error: { message: `reading directory ${dir}: ${code ?? (e as Error).message}` } });
      return;
    }
    dirs.push(dir);
    for (const ent of entries) {
      if (ent.name.startsWith('.')) continue; // .git, editor swap files
      const p = path.join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        const st = await fsp.stat(p).catch(() => undefined);
        isDir = st?.isDirectory() ?? false;
        isFile = st?.isFile() ?? false;
      }
      if (isDir) await this.walk(p, dirs, files);
      else if (isFile && this.opts.extensions.some((x) => ent.name.endsWith(x))) files.push(p);
    }
  }

  private async readFile(file: string): Promise<{ result: FileResult; fresh: boolean } | undefined> {
    let text: string;
    let stamp: string;
    try {
      const st = await fsp.stat(file, { bigint: true });
      stamp = `${st.size}:${st.mtimeNs}:${st.ino}`;
      const cached = this.cache.get(file);
      if (cached && cached.stamp === stamp) return { result: cached, fresh: false };
      text = await fsp.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      const error = { message: `${file}: cannot read: ${(e as Error).message}`, origin: { source: 'file' as const, file, document: 0 } };
      return { result: { stamp: 'unreadable', entries: [], errors: [error], invalidKeys: new Map(), blocking: true }, fresh: true };
    }
    const parsed = parseFileText(file, text);
    const entries: Entry[] = [];
    const invalidKeys = new Map<string, SourceError>();
    const errors = [...parsed.errors];
    let blocking = parsed.errors.length > 0;
    for (const d of parsed.docs) {
      const r = parseObject(d.raw, this.registry, d.origin, { defaultNamespace: this.opts.defaultNamespace });
      if (r.ok === 'ignored') continue;
      if (r.ok === false) {
        if (r.key) invalidKeys.set(r.key, r.error);
        else {
          errors.push(r.error);
          blocking = true;
        }
        continue;
      }
      entries.push({ key: r.key, object: r.object, kind: r.kind, origin: d.origin, hash: contentHash(r.object) });
    }
    const result: FileResult = { stamp, entries, errors, invalidKeys, blocking };
    this.cache.set(file, result);
    return { result, fresh: true };
  }
}
