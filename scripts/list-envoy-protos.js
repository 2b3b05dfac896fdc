#!/usr/bin/env node
// Regenerates proto/envoy-files.txt: every Envoy v3 API file shipped by
// @grpc/grpc-js-xds whose imports all resolve inside the shipped deps/.
'use strict';
const fs = require('fs');
const path = require('path');
const deps = path.join(path.dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
const roots = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(deps, d));
const common = new Set(Object.keys(require('protobufjs').common));
const find = (f) => roots.map((r) => path.join(r, f)).find((p) => fs.existsSync(p));
const memo = new Map();
function resolvable(f, stack = new Set()) {
  if (common.has(f) || f.startsWith('google/protobuf/')) return true;
  if (memo.has(f)) return memo.get(f);
  if (stack.has(f)) return true;
  stack.add(f);
  const p = find(f);
  let ok = !!p;
  if (p) for (const m of fs.readFileSync(p, 'utf8').matchAll(/^import\s+(?:public\s+)?"([^"]+)"/gm)) ok = resolvable(m[1], stack) && ok;
  memo.set(f, ok);
  return ok;
}
function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out); else if (p.endsWith('.proto')) out.push(path.relative(roots[0], p));
  }
  return out;
}
const files = walk(path.join(roots[0], 'envoy'), [])
  .filter((f) => /\/v3\//.test(f) && !/^envoy\/(watchdog|data)\//.test(f) && resolvable(f))
  .sort();
const out = path.join(__dirname, '..', 'proto', 'envoy-files.txt');
fs.writeFileSync(out, '# Envoy API files Tower loads at run time from @grpc/grpc-js-xds/deps (regenerate: node scripts/list-envoy-protos.js)\n' + files.join('\n') + '\n');
console.log(`${files.length} files -> ${out}`);
