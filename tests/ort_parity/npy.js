// The .npy reading and writing the ONNX Runtime sides of tests/ort_parity share (float32, C
// order; anything else is refused naming the file), and ONNX Runtime itself, loaded from
// bench/peers/node_modules (cd bench/peers && npm ci --ignore-scripts).
'use strict';
const fs = require('fs');
const path = require('path');

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const headerLen = b[6] === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = b[6] === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + headerLen);
  if (!/'descr':\s*'<f4'/.test(header)) throw new Error(`${file}: needs float32, header ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: needs C order`);
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

const ort = require(path.resolve(__dirname, '..', '..', 'bench', 'peers', 'node_modules', 'onnxruntime-node'));

module.exports = { readNpy, writeNpy, ort };
