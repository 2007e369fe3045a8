#!/usr/bin/env node
// ONNX Runtime's side of tests/ort_parity/dwconv_parity.py: runs each model DIR/NAME.onnx on
// DIR/NAME.input.npy (float32, C order) in ONNX Runtime 1.30 (CPU, all graph optimisations, so
// that DequantizeLinear -> Conv -> QuantizeLinear becomes its int8 QLinearConv; 1 thread) and
// writes the first output to DIR/NAME.ort.npy (float32).
//
//   node tests/ort_parity/dwconv_parity.js DIR NAME [NAME ...]
// Needs bench/peers/node_modules (cd bench/peers && npm ci --ignore-scripts).
'use strict';
const fs = require('fs');
const path = require('path');

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.length < 2) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 8).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(argv.includes('--help') ? 0 : 2);
}
const { readNpy, writeNpy, ort } = require('./npy');

(async () => {
  const [dir, ...names] = argv;
  for (const name of names) {
    const session = await ort.InferenceSession.create(path.join(dir, `${name}.onnx`), {
      executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
      intraOpNumThreads: 1, interOpNumThreads: 1,
    });
    const x = readNpy(path.join(dir, `${name}.input.npy`));
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x.data, x.dims) };
    const y = (await session.run(feeds))[session.outputNames[0]];
    writeNpy(path.join(dir, `${name}.ort.npy`), y.dims, y.data);
  }
})().catch((e) => { console.error(e.message || e); process.exit(1); });
