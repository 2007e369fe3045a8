#!/usr/bin/env node
// Runs ONNX Runtime 1.30 (CPU execution provider, all graph optimisations, so the QDQ groups
// become its int8 kernels; 1 thread) on the single-operator QDQ models that vector_parity.py
// writes, and saves each model's first output as a float32 .npy file.
//
//   node tests/ort_parity/vector_parity.js manifest.json
// manifest.json: [{"model": M.onnx, "inputs": {"name": x.npy, ...}, "output": y.npy}, ...]
// (inputs float32, C order). Needs bench/peers/node_modules (onnxruntime-node).
'use strict';
const fs = require('fs');
const path = require('path');

const argv = process.argv.slice(2);
if (argv.length !== 1 || argv[0] === '--help') {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 8).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(argv[0] === '--help' ? 0 : 2);
}
const { readNpy, writeNpy, ort } = require('./npy');

(async () => {
  const cases = JSON.parse(fs.readFileSync(argv[0], 'utf8'));
  for (const c of cases) {
    const session = await ort.InferenceSession.create(c.model, {
      executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
      intraOpNumThreads: 1, interOpNumThreads: 1,
    });
    const feeds = {};
    for (const [name, file] of Object.entries(c.inputs)) {
      const x = readNpy(file);
      feeds[name] = new ort.Tensor('float32', x.data, x.dims);
    }
    const res = await session.run(feeds);
    const y = res[session.outputNames[0]];
    writeNpy(c.output, y.dims, y.data);
  }
})().catch((e) => { console.error(String(e.stack || e)); process.exit(1); });
