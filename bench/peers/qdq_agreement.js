#!/usr/bin/env node
// octet and ONNX Runtime 1.30 running the SAME QDQ file on the same inputs (issue 15's check):
// per model, how many rows get the same top-1 class, and the share of output elements within
// 2 quantization steps, a step being the scale of the last quantized tensor of octet's plan
// (the last `dequantize` step of `octet-inspect --plan`, or the input of a classifier Gemm with
// a float output, `qu8_gemm_f32`), and the share within half a step
// (the same code). octet runs `octet-run --input
// x.npy --output-dir D` on its optimised int8 runtime; ORT runs in this process (CPU execution
// provider, all optimisations, 1 thread).
//
//   node bench/peers/qdq_agreement.js M.qdq.onnx=x.npy [...] [--ort-unoptimized] [--json]
// --ort-unoptimized: ORT with graph optimisations disabled, running QuantizeLinear and
// DequantizeLinear as written around float operators (the arithmetic of octet's reference
// executor) instead of fusing them into its int8 kernels.
// x.npy: float32, C order, [rows, the input's other dims] (one-input models). Exit status 1
// when a model fails to run. Install the peer first: (cd bench/peers && npm ci --ignore-scripts)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.filter(a => !a.startsWith('--')).length === 0) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 16).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(argv.includes('--help') ? 0 : 2);
}
const json = argv.includes('--json');
const ortLevel = argv.includes('--ort-unoptimized') ? 'disabled' : 'all';
const pairs = argv.filter(a => !a.startsWith('--')).map((a) => {
  const eq = a.lastIndexOf('=');
  if (eq < 0) { console.error(`qdq_agreement.js: '${a}' is not M.onnx=x.npy`); process.exit(2); }
  return { model: path.resolve(a.slice(0, eq)), inputs: path.resolve(a.slice(eq + 1)) };
});
const bin = (name) => path.join(root, 'build/tools', name);
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

// A float32 C-order .npy file: {dims, data}. Anything else is refused by name.
function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = b[6];
  const headerLen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + headerLen);
  if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header))
    throw new Error(`${file}: needs float32 ('<f4') in C order, header ${header.trim()}`);
  const dims = header.match(/'shape':\s*\(([^)]*)\)/)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const offset = start + headerLen;
  const count = dims.reduce((a, d) => a * d, 1);
  const data = new Float32Array(b.buffer.slice(b.byteOffset + offset, b.byteOffset + offset + 4 * count));
  return { dims, data };
}

// The scale of the last dequantize step (or float-output int8 Gemm's input) of octet's plan.
function lastScale(file) {
  const plan = execFileSync(bin('octet-inspect'), [file, '--plan'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const scales = [...plan.matchAll(/\b(?:dequantize \d+ \(scale|float \(input scale) ([0-9.eE+-]+)/g)].map(m => Number(m[1]));
  if (scales.length === 0) throw new Error(`${file}: octet's plan has no dequantize or qu8_gemm_f32 step (not a quantized model?)`);
  return scales[scales.length - 1];
}

const argmax = (a, off, n) => { let k = 0; for (let i = 1; i < n; i++) if (a[off + i] > a[off + k]) k = i; return k; };

async function check({ model, inputs }) {
  const x = readNpy(inputs);
  const rows = x.dims[0];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'octet-qdq-agreement-'));
  try {
    const out = JSON.parse(execFileSync(bin('octet-run'), ['--model', model, '--input', inputs, '--output-dir', dir,
      '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    const outName = out.outputs[0].name;
    const mine = readNpy(path.join(dir, outName.replace(/[^A-Za-z0-9._-]/g, '_') + '.npy'));
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'], graphOptimizationLevel: ortLevel, executionMode: 'sequential',
      intraOpNumThreads: 1, interOpNumThreads: 1,
    });
    const per = x.data.length / rows;
    const width = mine.data.length / rows;
    const step = lastScale(model);
    let sameTop1 = 0, within = 0, exact = 0, maxSteps = 0;
    for (let r = 0; r < rows; r++) {
      const feed = new ort.Tensor('float32', x.data.slice(r * per, (r + 1) * per), [1, ...x.dims.slice(1)]);
      const res = await session.run({ [session.inputNames[0]]: feed });
      const theirs = res[outName] ?? res[session.outputNames[0]];
      if (theirs.data.length !== width) throw new Error(`output sizes differ: octet ${width}, ORT ${theirs.data.length}`);
      sameTop1 += argmax(mine.data, r * width, width) === argmax(theirs.data, 0, width) ? 1 : 0;
      for (let i = 0; i < width; i++) {
        const steps = Math.abs(mine.data[r * width + i] - theirs.data[i]) / step;
        maxSteps = Math.max(maxSteps, steps);
        if (steps <= 2 + 1e-3) within++;
        if (steps < 0.5) exact++;
      }
    }
    return { model: path.basename(model), rows, same_top1: sameTop1, step, within_2_steps: within / (rows * width),
      exact: exact / (rows * width),
      max_steps: maxSteps };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  const results = [];
  for (const p of pairs) {
    try {
      results.push(await check(p));
    } catch (e) {
      results.push({ model: path.basename(p.model), error: String(e.message || e).split('\n')[0] });
    }
  }
  if (json) {
    console.log(JSON.stringify({ ort_version: ort.env.versions?.common ?? 'unknown', results }, null, 1));
  } else {
    console.log('| model | rows | same top-1 | within 2 steps | same code | max steps | step |\n|---|---:|---:|---:|---:|---:|---:|');
    for (const r of results) {
      console.log(r.error ? `| ${r.model} | ${r.error} | | | | | |`
        : `| ${r.model} | ${r.rows} | ${r.same_top1}/${r.rows} | ${(100 * r.within_2_steps).toFixed(2)} % | ` +
          `${(100 * r.exact).toFixed(2)} % | ${r.max_steps.toFixed(1)} | ${r.step.toPrecision(3)} |`);
    }
  }
  process.exit(results.some(r => r.error) ? 1 : 0);
})();
