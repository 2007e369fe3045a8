#!/usr/bin/env node
// Side-by-side timing of octet and ONNX Runtime 1.30 (CPU execution provider, all graph
// optimisations, same thread count) on the same model and the same CIFAR-10 images.
// Rounds alternate: ORT times K runs in this process, then octet-bench-model times K runs;
// medians are taken over all runs of all rounds, so drift on a shared machine hits both.
//
//   node bench/peers/compare.js [--octet-model M.onnx] [--ort-model M.onnx] [--rounds R]
//        [--iters K] [--batches 1,64] [--threads 1,2] [--markdown]
// Install the peer first: (cd bench/peers && npm ci --ignore-scripts)
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
if (process.argv.includes('--help')) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 9).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const octetModel = arg('octet-model', path.join(root, 'data/resnet8.onnx'));
const ortModel = arg('ort-model', octetModel);
const rounds = Number(arg('rounds', 5));
const iters = Number(arg('iters', 40));
const batches = arg('batches', '1,64').split(',').map(Number);
const threadsList = arg('threads', '1,2').split(',').map(Number);
const bench = arg('octet-bench', path.join(root, 'build/bench/octet-bench-model'));
const dataFile = arg('data', path.join(root, 'data/cifar10-test-first1000.bin'));
const markdown = process.argv.includes('--markdown');

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

async function main() {
  const rows = [];
  for (const threads of threadsList) {
    const session = await ort.InferenceSession.create(ortModel, {
      intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
    });
    const inputName = session.inputNames[0];
    const meta = session.inputMetadata ? session.inputMetadata[0] : null;
    // tf2onnx models are NHWC ([N,32,32,3]); torch exports NCHW.
    const nhwc = !meta || !meta.shape || meta.shape[3] === 3;
    for (const batch of batches) {
      const x = images(batch, nhwc);
      const feeds = { [inputName]: new ort.Tensor('float32', x, nhwc ? [batch, 32, 32, 3] : [batch, 3, 32, 32]) };
      for (let w = 0; w < 10; w++) await session.run(feeds);
      const ortTimes = [], octetTimes = [];
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < iters; i++) {
          const t0 = process.hrtime.bigint();
          await session.run(feeds);
          ortTimes.push(Number(process.hrtime.bigint() - t0) / 1e3 / batch);
        }
        const out = execFileSync(bench, ['--model', octetModel, '--data', dataFile, '--batch', String(batch),
          '--threads', String(threads), '--iters', String(iters), '--warmup', '10', '--json'], { encoding: 'utf8' });
        octetTimes.push(...JSON.parse(out).us_per_image);
      }
      rows.push({ threads, batch, ort: median(ortTimes), octet: median(octetTimes),
                  ortSpread: [pct(ortTimes, 0.1), pct(ortTimes, 0.9)], octetSpread: [pct(octetTimes, 0.1), pct(octetTimes, 0.9)] });
    }
  }
  const fmt = v => v.toFixed(1);
  const header = ['threads', 'batch', 'ORT µs/image (p10–p90)', 'octet µs/image (p10–p90)', 'octet/ORT time'];
  const lines = rows.map(r => [r.threads, r.batch, `${fmt(r.ort)} (${fmt(r.ortSpread[0])}–${fmt(r.ortSpread[1])})`,
    `${fmt(r.octet)} (${fmt(r.octetSpread[0])}–${fmt(r.octetSpread[1])})`, (r.octet / r.ort).toFixed(2)]);
  console.log(`octet: ${path.relative(root, octetModel)}; ORT 1.30: ${path.relative(root, ortModel)}; ${rounds} rounds x ${iters} runs each, alternating`);
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
