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
const ort = require(path.resolve(__dirname, '..', '..', 'bench', 'peers', 'node_modules', 'onnxruntime-node'));

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const headerLen = b[6] === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = b[6] === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + headerLen);
  if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header))
    throw new Error(`${file}: needs float32 in C order, header ${header.trim()}`);
  const dims = header.match(/'shape':\s*\(([^)]*)\)/)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const count = dims.reduce((a, d) => a * d, 1);
  const off = b.byteOffset + start + headerLen;
  return { dims, data: new Float32Array(b.buffer.slice(off, off + 4 * count)) };
}

function writeNpy(file, dims, data) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const head = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(head);
  head[6] = 1; head[7] = 0; head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(Float32Array.from(data).buffer)]));
}

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
