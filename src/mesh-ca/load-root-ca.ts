/**
 * Where the mesh root comes from: a directory (--mesh-ca-dir) holding the CA
 * certificate and key, or, without one, a root generated at start (a single
 * replica or development only: each replica would have its own root and
 * sidecars connected to different replicas would not trust each other).
 *
 * The directory may hold ca.crt + ca.key, or tls.crt + tls.key (a
 * kubernetes.io/tls Secret mounted as a volume: the way several replicas
 * share one root, see docs/mtls.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateRootCa, rootCaFromPem, type RootCa } from './root-ca';

export interface RootCaSource {
  readonly root: RootCa;
  /** "generated" or the files it was read from. */
  readonly origin: string;
}

const pairs = [
  ['ca.crt', 'ca.key'],
  ['tls.crt', 'tls.key'],
] as const;

export async function loadRootCaDir(dir: string): Promise<RootCaSource> {
  for (const [c, k] of pairs) {
    const cp = path.join(dir, c);
    const kp = path.join(dir, k);
    if (!fs.existsSync(cp) && !fs.existsSync(kp)) continue;
    if (!fs.existsSync(kp)) throw new Error(`mesh CA directory ${dir}: ${c} exists but ${k} does not`);
    if (!fs.existsSync(cp)) throw new Error(`mesh CA directory ${dir}: ${k} exists but ${c} does not`);
    const root = await rootCaFromPem(fs.readFileSync(cp, 'utf8'), fs.readFileSync(kp, 'utf8'), `mesh CA ${cp}`);
    return { root, origin: `${cp}, ${kp}` };
  }
  throw new Error(`mesh CA directory ${dir}: expected ca.crt and ca.key (or tls.crt and tls.key of a mounted kubernetes.io/tls Secret)`);
}

export async function loadOrGenerateRootCa(opts: { dir?: string; trustDomain: string }): Promise<RootCaSource> {
  if (opts.dir !== undefined) return loadRootCaDir(opts.dir);
  return { root: await generateRootCa({ trustDomain: opts.trustDomain }), origin: 'generated' };
}
