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
const ort = require(path.join(__dirname, '..', '..', 'bench', 'peers', 'node_modules', 'onnxruntime-node'));

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const headerLen = b[6] === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = b[6] === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + headerLen);
  if (!/'descr':\s*'<f4'/.test(header)) throw new Error(`${file}: needs float32, header ${header.trim()}`);
  const dims = header.match(/'shape':\s*\(([^)]*)\)/)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const count = dims.reduce((a, d) => a * d, 1);
  const off = b.byteOffset + start + headerLen;
  return { dims, data: new Float32Array(b.buffer.slice(off, off + 4 * count)) };
}

function writeNpy(file, dims, data) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1; pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

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
