#!/usr/bin/env node
// octet and ONNX Runtime 1.30 on the single-operator QDQ models of maxpool_concat_parity.py
// (MaxPool and Concat, issue 15): per model, the output codes (y / scale + zero point) of
// octet's optimised runtime (build/tools/octet-run, all rows as one batch) against ORT's (CPU
// execution provider, 1 thread) with all graph optimisations (ORT fuses the Q/DQ pairs into its
// uint8 MaxPool and QLinearConcat) and with none (ORT runs Q and DQ around float operators).
// Prints one line per model and the total of differing codes; exit status 1 when any differ.
//
//   /usr/bin/python3 tests/ort_parity/maxpool_concat_parity.py DIR
//   node tests/ort_parity/maxpool_concat_parity.js DIR [--octet-run PATH]
// Needs bench/peers/node_modules (cd bench/peers && npm ci --ignore-scripts).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.length === 0) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 11).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(argv.includes('--help') ? 0 : 2);
}
const flag = argv.indexOf('--octet-run');
const octetRun = flag >= 0 ? path.resolve(argv[flag + 1]) : path.join(root, 'build/tools/octet-run');
const dir = path.resolve(argv.find((a, i) => !a.startsWith('--') && (flag < 0 || i !== flag + 1)));
const { readNpy, ort } = require('./npy');

const codes = (y, scale, zp) => Array.from(y, v => Math.round(v / scale) + zp);

async function ortCodes(model, x, level, scale, zp) {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], graphOptimizationLevel: level, executionMode: 'sequential',
    intraOpNumThreads: 1, interOpNumThreads: 1,
  });
  const res = await session.run({ x: new ort.Tensor('float32', x.data, x.dims) });
  return codes(res.y.data, scale, zp);
}

(async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  let total = 0, elements = 0, failed = 0;
  for (const m of manifest) {
    const model = path.join(dir, m.model), input = path.join(dir, m.input);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'octet-parity-'));
    try {
      execFileSync(octetRun, ['--model', model, '--input', input, '--output-dir', out], { stdio: 'pipe' });
      const mine = codes(readNpy(path.join(out, 'y.npy')).data, m.scale, m.zero_point);
      const x = readNpy(input);
      const line = [m.model.padEnd(36), `${mine.length} codes`];
      for (const level of ['all', 'disabled']) {
        const theirs = await ortCodes(model, x, level, m.scale, m.zero_point);
        if (theirs.length !== mine.length) throw new Error(`sizes differ: octet ${mine.length}, ORT ${theirs.length}`);
        let diff = 0;
        for (let i = 0; i < mine.length; i++) diff += mine[i] !== theirs[i] ? 1 : 0;
        total += diff;
        line.push(`ORT ${level}: ${diff} differ`);
      }
      elements += 2 * mine.length;
      console.log(line.join('  '));
    } catch (e) {
      failed++;
      console.log(`${m.model}: ${String(e.message || e).split('\n')[0]}`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  console.log(`total: ${total} differing codes of ${elements} compared, ${failed} models failed, ORT ${ort.env.versions?.common ?? '?'}`);
  process.exit(total > 0 || failed > 0 ? 1 : 0);
})();
