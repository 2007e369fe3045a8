#!/usr/bin/env node
// Side-by-side timing of octet and ONNX Runtime 1.30 (CPU execution provider, all graph
// optimisations, same thread count) on the same model files and the same CIFAR-10 images.
// Rounds alternate: ORT times K runs in this process, then octet-bench-model times K runs;
// medians are taken over all runs of all rounds, so drift on a shared machine hits both.
//
//   node bench/peers/compare.js [--model LABEL=M.onnx ...] [--rounds R] [--iters K]
//        [--batches 1,64] [--threads 1,2] [--markdown] [--json]
// --model is repeatable (default fp32=data/resnet8.onnx); QDQ files (octet-quantize) run on
// octet's int8 runtime and on ORT's QDQ path. Install the peer first:
// (cd bench/peers && npm ci --ignore-scripts)
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
function args(name) {
  const out = [];
  process.argv.forEach((a, i) => { if (a === '--' + name && i + 1 < process.argv.length) out.push(process.argv[i + 1]); });
  return out;
}
if (process.argv.includes('--help')) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 11).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const models = (args('model').length ? args('model') : ['fp32=' + path.join(root, 'data/resnet8.onnx')]).map(m => {
  const eq = m.indexOf('=');
  if (eq < 0) { console.error(`compare.js: --model wants LABEL=PATH, got ${m}`); process.exit(2); }
  return { label: m.slice(0, eq), file: path.resolve(m.slice(eq + 1)) };
});
const rounds = Number(arg('rounds', 5));
const iters = Number(arg('iters', 40));
const batches = arg('batches', '1,64').split(',').map(Number);
const threadsList = arg('threads', '1,2').split(',').map(Number);
const bench = arg('octet-bench', path.join(root, 'build/bench/octet-bench-model'));
const dataFile = arg('data', path.join(root, 'data/cifar10-test-first1000.bin'));
const markdown = process.argv.includes('--markdown');
const json = process.argv.includes('--json');

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.error('compare.js: onnxruntime-node is not installed: (cd bench/peers && npm ci --ignore-scripts)');
  process.exit(2);
}

const median = v => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pct = (v, p) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

function images(batch, nhwc) {
  const raw = fs.readFileSync(dataFile);
  const x = new Float32Array(batch * 3072);
  for (let i = 0; i < batch; i++)
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < 1024; p++)
        x[i * 3072 + (nhwc ? p * 3 + c : c * 1024 + p)] = raw[(i % 1000) * 3073 + 1 + c * 1024 + p];
  return x;
}

// One model, thread count and batch: alternating rounds. ORT's session lives only for its
// own half of each round and is released before octet runs, so that its intra-op threads
// (which spin after a run by default) cannot take a core from octet's threads.
async function measure(model, threads, batch) {
  const ortTimes = [], octetTimes = [];
  for (let r = 0; r < rounds; r++) {
    const session = await ort.InferenceSession.create(model.file, {
      intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
    });
    const meta = session.inputMetadata ? session.inputMetadata[0] : null;
    const nhwc = !meta || !meta.shape || meta.shape[3] === 3;   // tf2onnx: NHWC; torch: NCHW
    const x = images(batch, nhwc);
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, nhwc ? [batch, 32, 32, 3] : [batch, 3, 32, 32]) };
    for (let w = 0; w < 10; w++) await session.run(feeds);
    for (let i = 0; i < iters; i++) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      ortTimes.push(Number(process.hrtime.bigint() - t0) / 1e3 / batch);
    }
    await session.release();
    const out = execFileSync(bench, ['--model', model.file, '--data', dataFile, '--batch', String(batch),
      '--threads', String(threads), '--iters', String(iters), '--warmup', '10', '--json'], { encoding: 'utf8' });
    octetTimes.push(...JSON.parse(out).us_per_image);
  }
  return { model: model.label, threads, batch, ort: median(ortTimes), octet: median(octetTimes),
           ortSpread: [pct(ortTimes, 0.1), pct(ortTimes, 0.9)], octetSpread: [pct(octetTimes, 0.1), pct(octetTimes, 0.9)] };
}

async function main() {
  const rows = [];
  for (const model of models)
    for (const threads of threadsList)
      for (const batch of batches) rows.push(await measure(model, threads, batch));
  if (json) {
    console.log(JSON.stringify({ rounds, iters, models, rows }));
    return;
  }
  const fmt = v => v.toFixed(1);
  const header = ['model', 'threads', 'batch', 'ORT µs/image (p10–p90)', 'octet µs/image (p10–p90)', 'octet/ORT time'];
  const lines = rows.map(r => [r.model, r.threads, r.batch, `${fmt(r.ort)} (${fmt(r.ortSpread[0])}–${fmt(r.ortSpread[1])})`,
    `${fmt(r.octet)} (${fmt(r.octetSpread[0])}–${fmt(r.octetSpread[1])})`, (r.octet / r.ort).toFixed(2)]);
  console.log(`models: ${models.map(m => `${m.label} = ${path.relative(root, m.file)}`).join(', ')}; ` +
              `${rounds} rounds x ${iters} runs each, alternating`);
  if (markdown) {
    console.log('| ' + header.join(' | ') + ' |');
    console.log('|' + header.map(() => '---').join('|') + '|');
    for (const l of lines) console.log('| ' + l.join(' | ') + ' |');
  } else {
    console.log(header.join('\t'));
    for (const l of lines) console.log(l.join('\t'));
  }
}
main().catch(e => { console.error(e); process.exit(1); });
