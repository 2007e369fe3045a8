// ONNX Runtime's outputs for the model zoo: runs every model of <zoo>/manifest.json (written by
// tools/zoo/make_zoo.py) on its .inputs.npy with onnxruntime-node (CPU execution provider, all
// graph optimisations, one thread) and writes its first output as <out>/<name>.ort.npy.
// onnxruntime-node is a measurement peer, installed by `cd bench/peers && npm ci --ignore-scripts`;
// it is never a dependency of octet's build or tests.
//
//   node tools/zoo/ort_reference.js [ZOO_DIR (build/zoo)] [OUT_DIR (tests/zoo/ort)] [--only a,b]
//
// Each file's sha256 must match the manifest first, so the outputs belong to the files the
// manifest describes. Exit status 1 on any failure.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..', '..');
const ort = require(path.join(repo, 'bench', 'peers', 'node_modules', 'onnxruntime-node'));
const ortVersion = require(path.join(repo, 'bench', 'peers', 'node_modules', 'onnxruntime-node', 'package.json')).version;

// .npy, float32 little-endian C order only (what make_zoo.py writes); anything else is refused.
function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = b[6];
  const headerLen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const dataAt = (major === 1 ? 10 : 12) + headerLen;
  const header = b.toString('latin1', major === 1 ? 10 : 12, dataAt);
  if (!/'descr':\s*'<f4'/.test(header)) throw new Error(`${file}: only float32 ('<f4') is read`);
  if (!/'fortran_order':\s*False/.test(header)) throw new Error(`${file}: only C order is read`);
  const dims = header.match(/'shape':\s*\(([^)]*)\)/)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = dims.reduce((a, d) => a * d, 1);
  if (b.length - dataAt !== count * 4) throw new Error(`${file}: data size does not match shape [${dims}]`);
  const data = new Float32Array(count);
  Buffer.from(data.buffer).set(b.subarray(dataAt));
  return { dims, data };
}

function writeNpy(file, dims, data) {
  if (!(data instanceof Float32Array)) throw new Error(`${file}: only float32 is written`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';   // numpy pads to 64 bytes
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function runModel(zoo, outDir, m) {
  for (const [file, want] of [[m.file, m.sha256_onnx], [m.inputs_file, m.sha256_inputs]]) {
    const got = sha256(path.join(zoo, file));
    if (got !== want) throw new Error(`${file}: sha256 ${got} is not the manifest's ${want}`);
  }
  const session = await ort.InferenceSession.create(path.join(zoo, m.file), {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1,
  });
  const x = readNpy(path.join(zoo, m.inputs_file));
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.data, x.dims) });
  const y = result[session.outputNames[0]];
  writeNpy(path.join(outDir, m.reference_file), y.dims.map(Number), y.data);
  return y.dims;
}

async function main() {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(args.splice(onlyAt, 2)[1].split(',')) : null;
  const zoo = args[0] || path.join(repo, 'build', 'zoo');
  const outDir = args[1] || path.join(repo, 'tests', 'zoo', 'ort');
  const manifest = JSON.parse(fs.readFileSync(path.join(zoo, 'manifest.json'), 'utf8'));
  fs.mkdirSync(outDir, { recursive: true });
  console.log(`onnxruntime-node ${ortVersion}`);
  let failed = 0;
  for (const m of manifest.models) {
    if (only && !only.has(m.name)) continue;
    const t0 = Date.now();
    try {
      const dims = await runModel(zoo, outDir, m);
      console.log(`${m.name.padEnd(30)} [${dims}] ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      console.log(`${m.name.padEnd(30)} FAILED: ${e.message}`);
      failed += 1;
    }
  }
  if (failed) {
    console.log(`${failed} model(s) failed`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exitCode = 1;
});
