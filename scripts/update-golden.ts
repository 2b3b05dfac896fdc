/**
 * Regenerates testdata/out from testdata/in (npm run test:update) and deletes
 * output files no case produces any more.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allOutputs, caseNames, renderCase, testdataDir } from '../test/golden/golden-lib';

function main(): void {
  const outDir = path.join(testdataDir(), 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const wanted = new Set<string>();
  let written = 0;
  for (const name of caseNames()) {
    for (const [file, text] of renderCase(name)) {
      wanted.add(file);
      const p = path.join(outDir, file);
      if (!fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== text) {
        fs.writeFileSync(p, text);
        written++;
      }
    }
  }
  let deleted = 0;
  for (const f of allOutputs()) {
    if (!wanted.has(f)) {
      fs.unlinkSync(path.join(outDir, f));
      deleted++;
    }
  }
  console.log(`golden: ${wanted.size} files, ${written} written, ${deleted} orphans deleted`);
}

main();
