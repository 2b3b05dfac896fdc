/**
 * Writes deploy/crds/<plural>.yaml (and kustomization.yaml) from the zod
 * schemas in src/api. `--check` writes nothing and exits 1 if the committed
 * files differ from what would be generated.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/generate-crds.js [--check]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generatedCrdFiles } from '../src/api/crd';
import { towerKinds } from '../src/api/kinds';

/** The repository root: the nearest ancestor of this file holding Tower's package.json (works from scripts/ and dist*\/scripts/). */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tower') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Tower package.json above ${from}`);
  }
}

export function crdDir(): string {
  return path.join(repoRoot(), 'deploy', 'crds');
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const dir = crdDir();
  const stale: string[] = [];
  fs.mkdirSync(dir, { recursive: true });
  for (const { file, text } of generatedCrdFiles(towerKinds)) {
    const p = path.join(dir, file);
    const current = fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined;
    if (current === text) continue;
    if (check) stale.push(file);
    else {
      fs.writeFileSync(p, text);
      console.log(`wrote ${path.relative(process.cwd(), p)}`);
    }
  }
  if (stale.length > 0) {
    console.error(`deploy/crds is out of date (${stale.join(', ')}): run node dist/scripts/generate-crds.js`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
