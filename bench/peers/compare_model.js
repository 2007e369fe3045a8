#!/usr/bin/env node
// Side-by-side timing of octet and ONNX Runtime 1.30 on ANY model file (issue 14, item 6):
// both run the same file on random inputs of the model's input shapes (batch B), with the same
// thread count. Rounds alternate: ORT times K runs in this process, then `octet-run --random
// --bench K` times K runs; each side's figure is the median of its round medians, so drift on
// a shared machine hits both. ORT: CPU execution provider, all graph optimisations, sequential
// execution, intra-op threads = --threads.
//
//   node bench/peers/compare_model.js M.onnx [M2.onnx ...] [--rounds R] [--iters K]
//        [--batch B] [--threads T] [--octet-run PATH] [--markdown] [--json]
// Install the peer first: (cd bench/peers && npm ci --ignore-scripts)
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
const flags = new Set(['--markdown', '--json', '--help']);
const opts = {};
const files = [];
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (flags.has(a)) opts[a.slice(2)] = true;
  else if (a.startsWith('--')) {
    if (i + 1 >= process.argv.length) { console.error(`compare_model.js: ${a} needs a value`); process.exit(2); }
    opts[a.slice(2)] = process.argv[++i];
  } else files.push(path.resolve(a));
}
if (opts.help || files.length === 0) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 12).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(opts.help ? 0 : 2);
}
const positive = (name, fallback) => {
  const v = Number(opts[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) { console.error(`compare_model.js: --${name} wants a positive integer`); process.exit(2); }
  return v;
};
const rounds = positive('rounds', 5);
const iters = positive('iters', 20);
const batch = positive('batch', 1);
const threads = positive('threads', 1);
const octetRun = opts['octet-run'] ?? path.join(root, 'build/tools/octet-run');

let ort;
try {
  ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
} catch (e) {
  console.error('compare_model.js: onnxruntime-node is not installed: (cd bench/peers && npm ci --ignore-scripts)');
  process.exit(1);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

function octetRound(file) {
  const out = execFileSync(octetRun, ['--model', file, '--random', '--batch', String(batch), '--threads', String(threads),
    '--bench', String(iters), '--warmup', '3', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out);
}

async function compare(file) {
  // octet-run reports the input shapes it ran with (open dims = the batch); ORT gets the same.
  const first = octetRound(file);
  const session = await ort.InferenceSession.create(file, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
    intraOpNumThreads: threads, interOpNumThreads: 1,
  });
  const feeds = {};
  for (const input of first.inputs) {
    const n = input.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.random();
    feeds[input.name] = new ort.Tensor('float32', data, input.shape);
  }
  for (let i = 0; i < 3; i++) await session.run(feeds);   // warm-up, as octet-run's
  const ortMedians = [];
  const octetMedians = [first.timing.median_us];
  for (let r = 0; r < rounds; r++) {
    const times = [];
    for (let i = 0; i < iters; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    ortMedians.push(median(times));
    if (r > 0) octetMedians.push(octetRound(file).timing.median_us);
  }
  const octetUs = median(octetMedians);
  const ortUs = median(ortMedians);
  return { model: path.basename(file), batch, threads, octet_us: octetUs, ort_us: ortUs, ratio: octetUs / ortUs };
}

(async () => {
  const rows = [];
  for (const f of files) {
    try {
      rows.push(await compare(f));
    } catch (e) {
      rows.push({ model: path.basename(f), error: String(e.message || e).split('\n')[0] });
    }
    const r = rows[rows.length - 1];
    if (!opts.json && !opts.markdown) {
      console.log(r.error ? `${r.model}: ${r.error}`
        : `${r.model}: octet ${r.octet_us.toFixed(1)} us, ORT ${r.ort_us.toFixed(1)} us, ratio ${r.ratio.toFixed(2)} (batch ${batch}, ${threads} thread${threads > 1 ? 's' : ''})`);
    }
  }
  if (opts.json) console.log(JSON.stringify({ ort_version: ort.env.versions?.common ?? 'unknown', rounds, iters, rows }, null, 1));
  if (opts.markdown) {
    console.log(`| model | octet µs | ONNX Runtime µs | ratio |\n|---|---:|---:|---:|`);
    for (const r of rows) {
      console.log(r.error ? `| ${r.model} | ${r.error} | | |`
        : `| ${r.model} | ${r.octet_us.toFixed(1)} | ${r.ort_us.toFixed(1)} | ${r.ratio.toFixed(2)} |`);
    }
  }
  process.exit(rows.some(r => r.error) ? 1 : 0);
})();
