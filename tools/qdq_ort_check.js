// Runs QDQ models on ONNX Runtime (onnxruntime-node, installed by
// `cd bench/peers && npm ci --ignore-scripts`) and compares ORT's outputs with octet's.
// tests/test_qdq (QdqExport.WritesFilesForTheOnnxRuntimeCheck) writes, per model, to
// <build>/qdq_ort_check/: <name>.onnx, <name>.json (input names and dims, output names),
// <name>.in.<input>.f32 and <name>.out.<output>.f32 (octet's reference executor running the
// same file, QuantizeLinear/DequantizeLinear as real operators). The models: the toy graph
// exported by quant/qdq_export (uint8 and int8) and the two fixtures of tests/fixtures/qdq.
//
//   build/tests/test_qdq --gtest_filter='*OnnxRuntimeCheck*'
//   cd bench/peers && node ../../tools/qdq_ort_check.js ../../build/qdq_ort_check
//
// Each model runs twice: with graph optimisations disabled (ORT executes the Q/DQ and float
// operators as written: the arithmetic of octet's reference) and with all optimisations (ORT
// fuses QDQ groups into its own int8 kernels, whose requantisation may round differently).
// Exit status 1 when a model fails to load or run, or with optimisations disabled differs
// from octet by more than 1e-5.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(require.resolve('onnxruntime-node', { paths: [process.cwd()] }));

function readFloats(file) {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function maxDiff(got, want) {
  let m = 0;
  for (let i = 0; i < want.length; ++i) m = Math.max(m, Math.abs(got[i] - want[i]));
  return m;
}

async function main() {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node qdq_ort_check.js <dir written by test_qdq>');
  const version = require(require.resolve('onnxruntime-node/package.json', { paths: [process.cwd()] })).version;
  console.log(`onnxruntime-node ${version}`);
  let ok = true;
  const models = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  if (models.length === 0) throw new Error(`no <model>.json in ${dir}: run test_qdq first`);
  for (const name of models) {
    const base = path.join(dir, name);
    const manifest = JSON.parse(fs.readFileSync(base + '.json', 'utf8'));
    const feeds = {};
    for (const inp of manifest.inputs)
      feeds[inp.name] = new ort.Tensor('float32', readFloats(`${base}.in.${inp.name}.f32`), inp.dims);
    for (const level of ['disabled', 'all']) {
      try {
        const session = await ort.InferenceSession.create(base + '.onnx', { graphOptimizationLevel: level });
        const out = await session.run(feeds);
        const diffs = manifest.outputs.map((o) => maxDiff(out[o].data, readFloats(`${base}.out.${o}.f32`)));
        const worst = Math.max(...diffs);
        console.log(`${name} (optimisations ${level}): loads and runs; max |ORT - octet| per output: ` +
                    manifest.outputs.map((o, i) => `${o} ${diffs[i].toExponential(2)}`).join(', '));
        if (level === 'disabled' && !(worst <= 1e-5)) ok = false;
      } catch (e) {
        console.log(`${name} (optimisations ${level}): FAILED: ${e.message}`);
        ok = false;
      }
    }
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
