#!/usr/bin/env node
// ONNX Runtime 1.30 and octet on the single-operator QDQ models of make_models.py: per model,
// the output codes (round(y / scale) + zero point of the final DequantizeLinear) that differ
// between the two, and the largest difference. Issue 15's target is 0 everywhere.
//
//   /usr/bin/python3 tests/ort_parity/make_models.py DIR
//   node tests/ort_parity/parity.js DIR [--octet-run PATH]
// --octet-run: the octet-run binary (default build/tools/octet-run of this checkout).
// ORT runs with all graph optimisations (QDQ fused into its int8 kernels), 1 thread.
// Exit status 1 when any code differs or a model fails to run. Needs bench/peers/node_modules
// (cd bench/peers && npm ci --ignore-scripts).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.filter(a => !a.startsWith('--')).length === 0) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 11).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(argv.includes('--help') ? 0 : 2);
}
const at = argv.indexOf('--octet-run');
const octetRun = at >= 0 ? path.resolve(argv[at + 1]) : path.join(root, 'build/tools/octet-run');
const dir = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--octet-run')[0];
const { readNpy, ort } = require('./npy');

async function check(m) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'octet-ort-parity-'));
  try {
    const args = ['--model', m.model, '--output-dir', tmp];
    for (const [name, file] of Object.entries(m.inputs)) args.push('--input', `${name}=${file}`);
    execFileSync(octetRun, args, { encoding: 'utf8' });
    const mine = readNpy(path.join(tmp, 'y.npy')).data;
    const session = await ort.InferenceSession.create(m.model, {
      executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1,
    });
    const feeds = {};
    for (const [name, file] of Object.entries(m.inputs)) {
      const x = readNpy(file);
      feeds[name] = new ort.Tensor('float32', x.data, x.dims);
    }
    const theirs = (await session.run(feeds)).y.data;
    if (theirs.length !== mine.length) throw new Error(`${m.name}: ${mine.length} outputs, ORT ${theirs.length}`);
    const code = v => Math.round(v / m.scale) + m.zero_point;
    let differ = 0, worst = 0;
    for (let i = 0; i < mine.length; i++) {
      const d = Math.abs(code(mine[i]) - code(theirs[i]));
      if (d !== 0) differ++;
      worst = Math.max(worst, d);
    }
    return { name: m.name, codes: mine.length, differ, worst };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

(async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  let failed = false, total = 0, differ = 0;
  console.log('| model | codes | differing | max difference |\n|---|---:|---:|---:|');
  for (const m of manifest) {
    try {
      const r = await check(m);
      console.log(`| ${r.name} | ${r.codes} | ${r.differ} | ${r.worst} |`);
      total += r.codes;
      differ += r.differ;
      if (r.differ) failed = true;
    } catch (e) {
      console.log(`| ${m.name} | failed: ${String(e.message).split('\n')[0]} | | |`);
      failed = true;
    }
  }
  console.log(`\n${manifest.length} models, ${total} codes, ${differ} differing`);
  process.exit(failed ? 1 : 0);
})();
