/**
 * A server under test in its own process: Tower (bench/tower-process.ts) or
 * the baseline (bench/baseline-process.ts), driven over IPC.
 */
import { nowMs } from './clock';
import * as path from 'node:path';
import { ChildHandle, rssOf } from './ipc';
import type { MeshSpec } from './mesh';

export type TargetKind = 'tower' | 'baseline';

/**
 * Environment of the server processes: what deploy/tower/deployment.yaml (and
 * `npm start`) set for Tower, given to the baseline too so both run alike.
 */
export const serverEnv: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '131072' };

export interface TargetStats {
  rss: number; heapUsed: number; heapTotal: number; cpuMs: number; at: number; clients: number;
  counters?: Record<string, number>;
}

export interface BuildInfo { listeningAt?: number; translateMs: number; translator: string; note?: string; generateMs?: number; resources?: Record<string, number>; protoLoadMs?: number }

export interface TargetOptions {
  mesh: MeshSpec;
  translator: 'auto' | 'fallback';
  debounce?: { quietMs?: number; maxWaitMs?: number; endpointQuietMs?: number };
  /** Extra node flags for the server process (e.g. --expose-gc, --cpu-prof). */
  execArgv?: string[];
}

export class Target {
  private constructor(readonly kind: TargetKind, private child: ChildHandle, readonly build: BuildInfo, readonly port: number) {}

  /** Forks the server process, builds the mesh and listens on port (0 = ephemeral). */
  /**
   * Starts a server process. With `listenFirst` it listens before building
   * (as Tower does: it listens, then its sources sync), so clients that
   * connect meanwhile hold their streams and get the config once it is built;
   * `listeningAt` is when it listened, the promise resolves once it has built.
   */
  static async start(kind: TargetKind, opts: TargetOptions, port = 0, listenFirst = false): Promise<Target> {
    const file = path.join(__dirname, kind === 'tower' ? 'tower-process.js' : 'baseline-process.js');
    const child = new ChildHandle(file, kind, ['--expose-gc', ...(opts.execArgv ?? [])], [], serverEnv);
    try {
      const listen = () => child.request<number>('listen', { port, translator: opts.translator, debounce: opts.debounce });
      const first = listenFirst ? await listen() : undefined;
      const listeningAt = nowMs();
      const build = await child.request<BuildInfo>('build', { mesh: opts.mesh, translator: opts.translator });
      const bound = first ?? (await listen());
      return new Target(kind, child, { ...build, listeningAt: listenFirst ? listeningAt : nowMs() }, bound);
    } catch (err) {
      await child.stop(true);
      throw err;
    }
  }

  get pid(): number {
    return this.child.pid;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  change(service: number, seq: number): Promise<{ receivedAt: number; translateMs: number; views: number }> {
    return this.child.request('change', { service, seq });
  }

  stats(): Promise<TargetStats> {
    return this.child.request('stats');
  }

  gc(): Promise<boolean> {
    return this.child.request('gc');
  }

  rss(): number {
    return rssOf(this.child.pid) ?? NaN;
  }

  /** Graceful close, or SIGKILL (a crash) when hard. */
  async stop(hard = false): Promise<void> {
    if (!hard) {
      try { await this.child.request('close', undefined, 15_000); } catch { /* fall through to kill */ }
    }
    await this.child.stop(hard);
  }
}
