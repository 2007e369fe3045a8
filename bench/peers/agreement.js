#!/usr/bin/env node
// Accuracy of octet and ONNX Runtime 1.30 running the same model files (FP32 or the QDQ files
// octet-quantize writes) on the same CIFAR-10 images, and how often their top-1 predictions
// agree. ORT runs in this process (CPU execution provider, all optimisations); octet runs
// `octet-eval --save-probs` (its int8 runtime for QDQ files).
//
//   node bench/peers/agreement.js --model LABEL=M.onnx [--model ...] [--data F ...] [--json]
// Defaults: the bundled test and training files. Install the peer first:
// (cd bench/peers && npm ci --ignore-scripts)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
function args(name) {
  const out = [];
  process.argv.forEach((a, i) => { if (a === '--' + name && i + 1 < process.argv.length) out.push(process.argv[i + 1]); });
  return out;
}
if (process.argv.includes('--help') || args('model').length === 0) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 9).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(process.argv.includes('--help') ? 0 : 2);
}
const models = args('model').map(m => ({ label: m.slice(0, m.indexOf('=')), file: path.resolve(m.slice(m.indexOf('=') + 1)) }));
const dataFiles = args('data').length ? args('data').map(f => path.resolve(f))
  : ['cifar10-test-first1000.bin', 'cifar10-train-subset.bin'].map(f => path.join(root, 'data', f));
const evalBin = path.join(root, 'build/tools/octet-eval');
const json = process.argv.includes('--json');
const ort = require('onnxruntime-node');

function readRecords(file) {
  const raw = fs.readFileSync(file);
  const n = raw.length / 3073;
  return { raw, n, labels: Array.from({ length: n }, (_, i) => raw[i * 3073]) };
}

async function ortProbs(file, data, nhwcOverride) {
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all', intraOpNumThreads: 2 });
  const meta = session.inputMetadata ? session.inputMetadata[0] : null;
  const nhwc = nhwcOverride ?? (!meta || !meta.shape || meta.shape[3] === 3);
  const out = new Float32Array(data.n * 10);
  const batch = 100;
  for (let s = 0; s < data.n; s += batch) {
    const b = Math.min(batch, data.n - s);
    const x = new Float32Array(b * 3072);
    for (let i = 0; i < b; i++)
      for (let c = 0; c < 3; c++)
        for (let p = 0; p < 1024; p++)
          x[i * 3072 + (nhwc ? p * 3 + c : c * 1024 + p)] = data.raw[(s + i) * 3073 + 1 + c * 1024 + p];
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, nhwc ? [b, 32, 32, 3] : [b, 3, 32, 32]) };
    const y = (await session.run(feeds))[session.outputNames[0]].data;
    out.set(y, s * 10);
  }
  await session.release();
  return out;
}

function octetProbs(file, dataFile) {
  const tmp = path.join(os.tmpdir(), `octet-agreement-${process.pid}.f32`);
  execFileSync(evalBin, ['--model', file, '--data', dataFile, '--threads', '2', '--save-probs', tmp], { stdio: 'ignore' });
  const b = fs.readFileSync(tmp);
  fs.unlinkSync(tmp);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const argmax = (p, i) => { let k = 0; for (let j = 1; j < 10; j++) if (p[i * 10 + j] > p[i * 10 + k]) k = j; return k; };

async function main() {
  const rows = [];
  for (const m of models) {
    let total = 0, ortCorrect = 0, octetCorrect = 0, agree = 0;
    const perFile = [];
    for (const f of dataFiles) {
      const data = readRecords(f);
      const a = await ortProbs(m.file, data), b = octetProbs(m.file, f);
      let oc = 0, tc = 0, ag = 0;
      for (let i = 0; i < data.n; i++) {
        const pa = argmax(a, i), pb = argmax(b, i);
        oc += pa === data.labels[i];
        tc += pb === data.labels[i];
        ag += pa === pb;
      }
      perFile.push({ file: path.basename(f), images: data.n, ort_correct: oc, octet_correct: tc, agree: ag });
      total += data.n; ortCorrect += oc; octetCorrect += tc; agree += ag;
    }
    rows.push({ model: m.label, file: path.relative(root, m.file), images: total, ort_correct: ortCorrect,
                octet_correct: octetCorrect, agree, files: perFile });
  }
  if (json) { console.log(JSON.stringify(rows)); return; }
  const pc = (a, b) => (100 * a / b).toFixed(2) + ' %';
  console.log('| model | file | images | ORT accuracy | octet accuracy | top-1 agreement |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) {
    for (const f of r.files)
      console.log(`| ${r.model} | ${f.file} | ${f.images} | ${pc(f.ort_correct, f.images)} | ${pc(f.octet_correct, f.images)} | ${pc(f.agree, f.images)} |`);
    console.log(`| ${r.model} | all | ${r.images} | ${pc(r.ort_correct, r.images)} | ${pc(r.octet_correct, r.images)} | ${pc(r.agree, r.images)} (${r.images - r.agree} differ) |`);
  }
}
main().catch(e => { console.error(e); process.exit(1); });
