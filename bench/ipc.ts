/**
 * Request/response over the child_process IPC channel, used between the
 * bench parent and its children (Tower, the baseline, simulated Envoys).
 * Children exit when the parent disconnects, so a crashed bench never
 * leaves processes behind.
 */
import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';

interface Req { id: number; cmd: string; args?: unknown }
interface Res { id: number; ok: boolean; result?: unknown; error?: string }
export interface EventMsg { ev: string; [k: string]: unknown }

// `any`: IPC payloads arrive as untyped structured clones; each handler checks what it reads.
export type Handler = (args: any) => unknown;

/** Child side: answers {id, cmd, args} with {id, ok, result | error}. */
export function serveIpc(handlers: Record<string, Handler>): void {
  if (!process.send) throw new Error('bench child started without an IPC channel (use child_process.fork)');
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m: Req) => {
    if (!m || typeof m.id !== 'number' || typeof m.cmd !== 'string') return;
    const h = handlers[m.cmd];
    let reply: Res;
    try {
      if (!h) throw new Error(`unknown command ${m.cmd}`);
      reply = { id: m.id, ok: true, result: await h(m.args) };
    } catch (err) {
      reply = { id: m.id, ok: false, error: (err as Error).stack ?? String(err) };
    }
    process.send?.(reply);
  });
}

/** Sends an unsolicited event from a child to the parent. */
export function emitEvent(msg: EventMsg): void {
  process.send?.(msg);
}

/** Parent side handle on one forked child. */
export class ChildHandle {
  readonly proc: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;
  onEvent?: (msg: EventMsg) => void;

  constructor(modulePath: string, readonly label: string, execArgv: string[] = [], args: string[] = [], env?: Record<string, string>) {
    this.proc = fork(modulePath, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', ...(env ? { env: { ...process.env, ...env } } : {}) });
    this.proc.on('message', (m: Res | EventMsg) => {
      if ('ev' in m) { this.onEvent?.(m); return; }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${this.label}: ${m.error}`));
    });
    // A child that died or disconnected first makes disconnect()/send() emit 'error' here; never crash the bench for it.
    this.proc.on('error', (err) => process.stderr.write(`[bench] ${this.label}: ${err.message}\n`));
    this.proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`${this.label} exited (code ${code}, signal ${signal})`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  request<T = unknown>(cmd: string, args?: unknown, timeoutMs = 600_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.label} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`${this.label}: ${cmd} timed out after ${timeoutMs} ms`)); }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.proc.send({ id, cmd, args });
    });
  }

  /** Ends the child: SIGKILL when hard (a crash), else disconnect and wait. */
  async stop(hard = false): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.proc.once('exit', () => r()));
    if (hard) this.proc.kill('SIGKILL');
    else {
      if (this.proc.connected) this.proc.disconnect();
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    }
    await done;
  }
}

/** RSS of a process in bytes, read from /proc (Linux). */
export function rssOf(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
