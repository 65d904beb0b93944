#!/usr/bin/env node
// Pooled MobileNetV2 features computed by TF.js itself (pure JavaScript CPU backend), the outside
// reference for the features fineturn's transfer learning trains its head on.
//
// The bundled model (fineturn-models/.../pretrained/mobilenet_v2) is loaded from model.json + weights.bin
// with a custom IO handler, cut at the node `block_13_expand_relu` ([N, H/16, W/16, 576]) and
// global-average-pooled to [N, 576].
//
// Usage:
//   node tfjs_features.js --data DIR --out OUTDIR [--batch 32] [--layer block_13_expand_relu] [--limit N]
//   node tfjs_features.js --self-check [--data DIR]
//
// Input folder DIR: images.f32 (little-endian float32, NCHW [N, 3, H, W], values exactly as fed to the
// network), labels.i32 (little-endian int32 [N]) and meta.json {"n", "channels", "height", "width", "classes"}.
// Output folder OUTDIR: features.f32 (little-endian float32 [N, F], row-major), labels.i32 (copied) and
// features.json (shape and provenance).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const MODEL_DIR = path.join(REPO_ROOT, 'fineturn-models', 'src', 'main', 'resources',
  'dev', 'fineturn', 'models', 'pretrained', 'mobilenet_v2');
const DEFAULT_LAYER = 'block_13_expand_relu';

function fail(msg) {
  process.stderr.write(`tfjs_features: ${msg}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { batch: 32, layer: DEFAULT_LAYER, selfCheck: false, limit: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--data') opts.data = next();
    else if (a === '--out') opts.out = next();
    else if (a === '--batch') opts.batch = parseInt(next(), 10);
    else if (a === '--layer') opts.layer = next();
    else if (a === '--limit') opts.limit = parseInt(next(), 10);
    else if (a === '--self-check') opts.selfCheck = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n')
        .filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  if (!(opts.batch > 0)) fail('--batch must be a positive integer');
  return opts;
}

if (os.endianness() !== 'LE') fail('this script reads and writes little-endian float32 with typed arrays; host is big-endian');

let tf;
try {
  tf = require('@tensorflow/tfjs');
} catch (e) {
  fail(`cannot load @tensorflow/tfjs (run "npm ci" in ${path.relative(process.cwd(), __dirname) || '.'}): ${e.message}`);
}

// ---------------------------------------------------------------------------------------------------------
// Model loading

function readArtifacts() {
  const modelJson = JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'model.json'), 'utf8'));
  const weightSpecs = [];
  const buffers = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(MODEL_DIR, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return { modelJson, weightSpecs, weightData };
}

// An IO handler: an object whose load() returns the model artifacts from memory.
function memoryHandler(modelTopology, weightSpecs, weightData) {
  return {
    load: async () => ({ modelTopology, weightSpecs, weightData, format: 'layers-model' }),
  };
}

// The functional topology restricted to the ancestors of `layerName`, ending there, with the input's spatial
// size left open (the bundled topology fixes [N, 224, 224, 3]; its AveragePooling2D/Flatten/Dense head needs
// that size, the convolutional part below the cut does not).
function truncatedTopology(modelTopology, layerName) {
  const topo = JSON.parse(JSON.stringify(modelTopology));
  const cfg = topo.model_config.config;
  const byName = new Map(cfg.layers.map((l) => [l.name, l]));
  if (!byName.has(layerName)) fail(`model has no layer ${layerName}`);
  const keep = new Set();
  const stack = [layerName];
  while (stack.length) {
    const name = stack.pop();
    if (keep.has(name)) continue;
    keep.add(name);
    for (const node of byName.get(name).inbound_nodes) for (const inbound of node) stack.push(inbound[0]);
  }
  cfg.layers = cfg.layers.filter((l) => keep.has(l.name));
  for (const l of cfg.layers) {
    if (l.class_name === 'InputLayer') {
      const s = l.config.batch_input_shape;
      l.config.batch_input_shape = [null, null, null, s[s.length - 1]];
    }
  }
  cfg.output_layers = [[layerName, 0, 0]];
  delete topo.training_config;
  return topo;
}

async function loadModels(layerName) {
  const { modelJson, weightSpecs, weightData } = readArtifacts();
  // The full model, exactly as published (strict: every stored weight must find its variable and back).
  const full = await tf.loadLayersModel(memoryHandler(modelJson.modelTopology, weightSpecs, weightData),
    { strict: true });
  // The backbone up to the cut, for any input size; its weights are copied layer by layer from the full model.
  const cutTopology = truncatedTopology(modelJson.modelTopology, layerName);
  const backbone = await tf.models.modelFromJSON({ modelTopology: cutTopology });
  let copied = 0;
  for (const layer of backbone.layers) {
    const w = full.getLayer(layer.name).getWeights();
    if (w.length !== layer.weights.length) fail(`layer ${layer.name}: ${w.length} weights vs ${layer.weights.length}`);
    if (w.length) layer.setWeights(w);
    copied += w.length;
  }
  return { full, backbone, copiedTensors: copied, storedTensors: weightSpecs.length };
}

// Global-average-pooled activations [n, F] of `backbone` for an NCHW float32 batch.
function pooledFeatures(backbone, nchw, n, c, h, w) {
  return tf.tidy(() => {
    const x = tf.transpose(tf.tensor4d(nchw, [n, c, h, w]), [0, 2, 3, 1]);
    const act = backbone.predict(x);
    return tf.mean(act, [1, 2]);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Data set reading

function readMeta(dir) {
  const metaPath = path.join(dir, 'meta.json');
  if (!fs.existsSync(metaPath)) fail(`${metaPath} not found`);
  const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8'));
  for (const k of ['n', 'channels', 'height', 'width']) {
    if (!Number.isInteger(meta[k]) || meta[k] <= 0) fail(`${metaPath}: "${k}" must be a positive integer`);
  }
  if (meta.channels !== 3) fail(`${metaPath}: the model takes 3 channels, meta says ${meta.channels}`);
  const per = meta.channels * meta.height * meta.width;
  const imgBytes = fs.statSync(path.join(dir, 'images.f32')).size;
  if (imgBytes !== meta.n * per * 4) fail(`images.f32 has ${imgBytes} bytes, meta implies ${meta.n * per * 4}`);
  const lblBytes = fs.statSync(path.join(dir, 'labels.i32')).size;
  if (lblBytes !== meta.n * 4) fail(`labels.i32 has ${lblBytes} bytes, meta implies ${meta.n * 4}`);
  return meta;
}

function readBatch(fd, start, count, per) {
  const bytes = Buffer.alloc(count * per * 4);
  let got = 0;
  while (got < bytes.length) {
    const r = fs.readSync(fd, bytes, got, bytes.length - got, start * per * 4 + got);
    if (r === 0) fail('unexpected end of images.f32');
    got += r;
  }
  return new Float32Array(bytes.buffer, bytes.byteOffset, count * per);
}

// ---------------------------------------------------------------------------------------------------------

async function extract(opts) {
  if (!opts.data || !opts.out) fail('--data DIR and --out OUTDIR are required (or --self-check)');
  const meta = readMeta(opts.data);
  const n = opts.limit > 0 ? Math.min(opts.limit, meta.n) : meta.n;
  const { channels: c, height: h, width: w } = meta;
  const per = c * h * w;

  const t0 = process.hrtime.bigint();
  const { backbone } = await loadModels(opts.layer);
  const tLoad = Number(process.hrtime.bigint() - t0) / 1e9;

  fs.mkdirSync(opts.out, { recursive: true });
  const featPath = path.join(opts.out, 'features.f32');
  const outFd = fs.openSync(featPath, 'w');
  const inFd = fs.openSync(path.join(opts.data, 'images.f32'), 'r');
  let featDim = -1;
  let nonFinite = 0;
  const t1 = process.hrtime.bigint();
  for (let start = 0; start < n; start += opts.batch) {
    const count = Math.min(opts.batch, n - start);
    const pooled = pooledFeatures(backbone, readBatch(inFd, start, count, per), count, c, h, w);
    const values = pooled.dataSync();
    featDim = pooled.shape[1];
    pooled.dispose();
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) nonFinite++;
    fs.writeSync(outFd, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    if (process.stderr.isTTY) process.stderr.write(`\r${start + count}/${n}`);
  }
  const tFeat = Number(process.hrtime.bigint() - t1) / 1e9;
  if (process.stderr.isTTY) process.stderr.write('\n');
  fs.closeSync(inFd);
  fs.closeSync(outFd);
  if (nonFinite) fail(`${nonFinite} non-finite feature values`);

  const labels = fs.readFileSync(path.join(opts.data, 'labels.i32')).subarray(0, n * 4);
  fs.writeFileSync(path.join(opts.out, 'labels.i32'), labels);
  const header = {
    shape: [n, featDim],
    dtype: 'float32',
    byte_order: 'little',
    layout: 'row-major',
    features: 'features.f32',
    labels: 'labels.i32',
    classes: meta.classes,
    input: { channels: c, height: h, width: w },
    model: 'fineturn-models pretrained/mobilenet_v2 (TF.js layers)',
    layer: opts.layer,
    pooling: 'global average over H, W',
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    seconds: Number(tFeat.toFixed(3)),
    images_per_second: Number((n / tFeat).toFixed(2)),
  };
  fs.writeFileSync(path.join(opts.out, 'features.json'), JSON.stringify(header, null, 2) + '\n');
  process.stdout.write(`tfjs ${tf.version.tfjs} (${tf.getBackend()}): ${n} images ${h}x${w} -> [${n}, ${featDim}] `
    + `at ${opts.layer}; model load ${tLoad.toFixed(2)} s, features ${tFeat.toFixed(2)} s = `
    + `${(n / tFeat).toFixed(1)} images/s (${(1000 * tFeat / n).toFixed(1)} s per 1000 images, batch ${opts.batch})\n`);
}

function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// A deterministic pseudo-random NCHW batch in [0, 1].
function noiseBatch(n, c, h, w, seed) {
  const out = new Float32Array(n * c * h * w);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296;
  }
  return out;
}

async function selfCheck(opts) {
  const problems = [];
  const check = (ok, what) => {
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
    if (!ok) problems.push(what);
  };
  const { full, backbone, copiedTensors, storedTensors } = await loadModels(opts.layer);
  process.stdout.write(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}; full model ${full.layers.length} layers, `
    + `output ${JSON.stringify(full.outputs[0].shape)}; backbone ${backbone.layers.length} layers to ${opts.layer}, `
    + `${copiedTensors} of ${storedTensors} stored weight tensors\n`);

  // 1. The full published model on one 224x224 image: a 5-class softmax, the same through predict and execute.
  const img = noiseBatch(1, 3, 224, 224, 1);
  const probs = tf.tidy(() => full.predict(tf.transpose(tf.tensor4d(img, [1, 3, 224, 224]), [0, 2, 3, 1])).dataSync());
  const probs2 = tf.tidy(() => full.execute(tf.transpose(tf.tensor4d(img, [1, 3, 224, 224]), [0, 2, 3, 1]),
    full.outputs[0].name).dataSync());
  const sum = probs.reduce((a, b) => a + b, 0);
  check(probs.length === 5 && Math.abs(sum - 1) < 1e-5 && probs.every(Number.isFinite),
    `full model: softmax over ${probs.length} classes [${Array.from(probs, (p) => p.toFixed(4)).join(', ')}], sum ${sum.toFixed(6)}`);
  check(maxAbsDiff(probs, probs2) === 0, 'full model: predict == execute');

  // 2. The rebuilt variable-size backbone equals the cut of the published graph (fixed 224 input).
  const cutOfFull = tf.model({ inputs: full.inputs, outputs: full.getLayer(opts.layer).output });
  const a = tf.tidy(() => tf.mean(cutOfFull.predict(tf.transpose(tf.tensor4d(img, [1, 3, 224, 224]), [0, 2, 3, 1])), [1, 2]).dataSync());
  const b = pooledFeatures(backbone, img, 1, 3, 224, 224);
  const bv = b.dataSync();
  check(b.shape[1] === 576, `pooled features at ${opts.layer}: shape [${b.shape}]`);
  check(maxAbsDiff(a, bv) === 0, `rebuilt backbone == cut of the published graph at 224x224 (max |diff| ${maxAbsDiff(a, bv)})`);
  b.dispose();

  // 3. Constant image at the data set's size: finite, deterministic, the same alone and inside a batch.
  let h = 64;
  let w = 64;
  if (opts.data) ({ height: h, width: w } = readMeta(opts.data));
  const per = 3 * h * w;
  const constant = new Float32Array(per).fill(0.5);
  const f1 = pooledFeatures(backbone, constant, 1, 3, h, w);
  const v1 = f1.dataSync();
  f1.dispose();
  const v2 = (() => {
    const t = pooledFeatures(backbone, constant, 1, 3, h, w);
    const v = t.dataSync();
    t.dispose();
    return v;
  })();
  const batch = noiseBatch(8, 3, h, w, 7);
  batch.set(constant, 5 * per);
  const fb = pooledFeatures(backbone, batch, 8, 3, h, w);
  const vb = fb.dataSync().slice(5 * 576, 6 * 576);
  fb.dispose();
  let mean = 0;
  for (const v of v1) mean += v / v1.length;
  check(v1.length === 576 && v1.every(Number.isFinite), `constant 0.5 image ${h}x${w}: 576 finite features, mean ${mean.toFixed(5)}`);
  check(maxAbsDiff(v1, v2) === 0, 'constant image: two runs identical');
  check(maxAbsDiff(v1, vb) < 1e-5, `constant image alone vs 6th of a batch of 8: max |diff| ${maxAbsDiff(v1, vb).toExponential(2)}`);

  // 4. Timing at the data set's size.
  const n = 64;
  const timing = noiseBatch(n, 3, h, w, 11);
  const bs = opts.batch;
  pooledFeatures(backbone, timing.subarray(0, bs * per), bs, 3, h, w).dispose(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let s = 0; s < n; s += bs) pooledFeatures(backbone, timing.subarray(s * per, (s + bs) * per), bs, 3, h, w).dispose();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(`timing: ${n} images ${h}x${w}, batch ${bs}: ${(n / secs).toFixed(1)} images/s `
    + `(${(1000 * secs / n).toFixed(1)} s per 1000 images); tensors alive ${tf.memory().numTensors}\n`);

  if (problems.length) fail(`${problems.length} self-check(s) failed`);
  process.stdout.write('self-check passed\n');
}

const opts = parseArgs(process.argv.slice(2));
(opts.selfCheck ? selfCheck(opts) : extract(opts)).catch((e) => fail(e.stack || String(e)));
