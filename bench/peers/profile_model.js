#!/usr/bin/env node
// Per-layer times of ONNX Runtime 1.30 next to octet's (issue 14: where does octet lose?).
// ORT runs the model with its profiler on (CPU provider, all graph optimisations, sequential,
// --threads intra-op threads), K runs after 3 warm-up runs; each node's figure is the median
// of its K kernel times. octet-run --profile gives octet's per-step table on the same shapes
// (means over K images), run before and after ORT, each step's lesser figure kept: on a
// shared machine a burst of load then inflates one side's figure less.
// ORT fuses and renames nodes (a Conv with its BatchNormalization, Relu and Add becomes one
// node named after its output, "..._nchwc", and runs a block's shortcut conv at another
// place), so octet's conv steps are paired with ORT's Conv nodes by block, the node names'
// first two components ("/layer2/layer2.0"; none for top-level names such as "/conv1/Conv"),
// a shortcut ("downsample", "shortcut") with a
// shortcut and the others in order: right for the ResNets; where some step finds no
// partner, both tables are printed unpaired.
//
//   node bench/peers/profile_model.js M.onnx [--iters K] [--threads T] [--octet-run PATH]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const opts = {};
let file = null;
for (let i = 0; i < args.length; i++) {
  if (args[i].startsWith('--')) opts[args[i].slice(2)] = args[++i];
  else file = path.resolve(args[i]);
}
if (!file) {
  console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 10).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(2);
}
const iters = Number(opts.iters ?? 20);
const threads = Number(opts.threads ?? 1);
const octetRun = opts['octet-run'] ?? path.join(root, 'build/tools/octet-run');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// octet's table: "step kernel us/image share GMAC/s node" rows.
function octetSteps() {
  const out = execFileSync(octetRun, ['--model', file, '--random', '--threads', String(threads), '--bench', String(iters),
    '--profile'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const rows = [];
  let shapes = null;
  for (const line of out.split('\n')) {
    const m = line.match(/^\s*(\d+) (\S+)\s+([\d.]+)\s+\S+\s+\S+\s+(\S+)/);
    if (m) rows.push({ kernel: m[2], us: Number(m[3]), node: m[4] });
    const s = line.match(/^input\s+(\S+) \[([\d,]+)\]/);
    if (s) shapes = { ...(shapes ?? {}), [s[1]]: s[2].split(',').map(Number) };
  }
  return { rows, shapes };
}

async function ortNodes(shapes) {
  const prefix = path.join(os.tmpdir(), `ort_profile_${process.pid}`);
  const session = await ort.InferenceSession.create(file, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential',
    intraOpNumThreads: threads, interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix,
  });
  const feeds = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = Math.random();
    feeds[name] = new ort.Tensor('float32', data, shape);
  }
  for (let i = 0; i < 3 + iters; i++) await session.run(feeds);
  session.endProfiling();
  const dir = path.dirname(prefix);
  const json = fs.readdirSync(dir).filter(f => f.startsWith(path.basename(prefix)) && f.endsWith('.json'));
  const times = new Map();
  for (const f of json) {
    for (const e of JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      const name = e.name.slice(0, -'_kernel_time'.length);
      if (!times.has(name)) times.set(name, { op: e.args.op_name, us: [] });
      times.get(name).us.push(e.dur);
    }
    fs.unlinkSync(path.join(dir, f));
  }
  // The first 3 runs are the warm-up.
  return [...times].map(([name, t]) => ({ name, op: t.op, us: median(t.us.slice(3).length ? t.us.slice(3) : t.us) }));
}

(async () => {
  const octet = octetSteps();
  const nodes = await ortNodes(octet.shapes);
  const again = octetSteps().rows;
  if (again.length === octet.rows.length) octet.rows.forEach((r, i) => { r.us = Math.min(r.us, again[i].us); });
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  console.log(`octet total ${sum(octet.rows.map(r => r.us)).toFixed(0)} us, ORT total ${sum(nodes.map(n => n.us)).toFixed(0)} us` +
              ` (sums of per-layer medians)`);
  const oc = octet.rows.filter(r => r.kernel.includes('conv'));
  const ot = nodes.filter(n => n.op === 'Conv' || n.op === 'FusedConv');
  const block = (name) => { const p = name.split('/'); return p.length > 3 ? p.slice(0, 3).join('/') : ''; };
  const shortcut = (name) => /downsample|shortcut/.test(name);
  const used = new Set();
  const pairs = oc.map(r => {
    const n = ot.find(n => !used.has(n) && block(n.name) === block(r.node) && shortcut(n.name) === shortcut(r.node));
    if (n) used.add(n);
    return n;
  });
  const paired = oc.length === ot.length && pairs.every(n => n);
  if (paired) {
    console.log('| octet node | octet kernel | octet us | ORT us | octet/ORT |\n|---|---|---:|---:|---:|');
    oc.forEach((r, i) => console.log(`| ${r.node} | ${r.kernel} | ${r.us.toFixed(0)} | ${pairs[i].us} | ${(r.us / pairs[i].us).toFixed(2)} |`));
    console.log(`| conv total | | ${sum(oc.map(r => r.us)).toFixed(0)} | ${sum(ot.map(n => n.us))} | |`);
  } else {
    console.log(`${oc.length} octet conv steps, ${ot.length} ORT Conv nodes: unpaired`);
    for (const r of octet.rows) console.log(`octet ${r.us.toFixed(0).padStart(7)} ${r.kernel} ${r.node}`);
  }
  for (const n of nodes.filter(n => !paired || !ot.includes(n)))
    console.log(`ORT   ${String(n.us).padStart(7)} ${n.op} ${n.name}`);
})();
