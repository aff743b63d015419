#!/usr/bin/env node
// Speed baseline of the reference library, @vladmandic/face-api 1.7.15 on @tensorflow/tfjs 4.22.0:
// the full "detect all faces + 68 landmarks + 128-d descriptors" pipeline on a set of JPEG photos.
//
//   node time_face_api.js [--backend wasm|cpu] [--threads N] [--rounds R] PHOTO...
//
// Every photo is decoded once with jpeg-js before any timing (decode times are reported apart),
// the pipeline runs once on the first photo as a warm-up, then R timed rounds follow, each one
// pass over all photos. Exactly one line of JSON goes to stdout; progress and notes go to stderr.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

// tfjs and its wasm backend print hints with console.log/info in some situations; keep stdout for
// the single JSON result.
console.log = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

const USAGE = 'usage: node time_face_api.js [--backend wasm|cpu] [--threads N] [--rounds R] PHOTO...';

function fail(message) {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { backend: 'wasm', threads: null, rounds: 5, photos: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`missing value after ${arg}`);
      return argv[++i];
    };
    if (arg === '--backend') opts.backend = value();
    else if (arg === '--threads') opts.threads = Number(value());
    else if (arg === '--rounds') opts.rounds = Number(value());
    else if (arg === '-h' || arg === '--help') { process.stdout.write(`${USAGE}\n`); process.exit(0); }
    else if (arg.startsWith('--')) fail(`unknown option ${arg}`);
    else opts.photos.push(arg);
  }
  if (!['wasm', 'cpu'].includes(opts.backend)) fail(`unsupported backend "${opts.backend}"`);
  if (opts.threads !== null && !(Number.isInteger(opts.threads) && opts.threads >= 1)) fail('--threads must be a positive integer');
  if (!(Number.isInteger(opts.rounds) && opts.rounds >= 1)) fail('--rounds must be a positive integer');
  if (opts.photos.length === 0) fail('no photos given');
  return opts;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const seconds = (startNs) => Number(process.hrtime.bigint() - startNs) / 1e9;
// CPU time (user + system, all threads of this process) since a process.cpuUsage() sample.
const cpuSeconds = (startUsage) => {
  const u = process.cpuUsage(startUsage);
  return (u.user + u.system) / 1e6;
};
const round = (x, digits) => Number(x.toFixed(digits));

async function main() {
  const opts = parseArgs(process.argv.slice(2));

  const tf = require('@tensorflow/tfjs');
  const tfwasm = require('@tensorflow/tfjs-backend-wasm');
  // The node-wasm build of face-api uses the @tensorflow/tfjs instance loaded above; the default
  // Node entry would need @tensorflow/tfjs-node, whose native library is not on the npm registry.
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const jpeg = require('jpeg-js');

  const faceapiDir = path.dirname(require.resolve('@vladmandic/face-api/package.json'));
  const wasmDistDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/';

  // Backend.
  let threadedBinary = false;
  if (opts.backend === 'wasm') {
    tfwasm.setWasmPaths(wasmDistDir);
    if (opts.threads !== null) tfwasm.setThreadsCount(opts.threads);
    threadedBinary = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  }
  if (!(await tf.setBackend(opts.backend))) throw new Error(`could not initialise the ${opts.backend} backend`);
  await tf.ready();
  let threads = 1; // tfjs's cpu backend is plain single-threaded JavaScript
  if (opts.backend === 'wasm') {
    threads = tfwasm.getThreadsCount();
    if (opts.threads !== null && threads !== opts.threads) {
      process.stderr.write(`note: asked for ${opts.threads} wasm threads, backend runs ${threads} `
        + `(multithreaded binary ${threadedBinary ? 'in use' : 'not used: tfjs disables it under Node'})\n`);
    }
  }

  // Models.
  const modelDir = path.join(faceapiDir, 'model');
  let start = process.hrtime.bigint();
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  const modelLoadSeconds = seconds(start);

  // Decode every photo once (jpeg-js, RGBA -> RGB), outside the timed part.
  const decodeMs = [];
  const inputs = [];
  for (const file of opts.photos) {
    const bytes = fs.readFileSync(file);
    start = process.hrtime.bigint();
    const img = jpeg.decode(bytes, { useTArray: true });
    const rgb = new Int32Array(img.width * img.height * 3);
    for (let p = 0, q = 0; p < img.data.length; p += 4, q += 3) {
      rgb[q] = img.data[p];
      rgb[q + 1] = img.data[p + 1];
      rgb[q + 2] = img.data[p + 2];
    }
    decodeMs.push(seconds(start) * 1e3);
    inputs.push({ file, width: img.width, height: img.height, tensor: tf.tensor3d(rgb, [img.height, img.width, 3], 'int32') });
  }

  const detectorOptions = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 });
  // The pipeline under test. Its results hold plain arrays only (descriptors are Float32Arrays),
  // no tensors; tensors_leaked in the output checks that nothing is left behind.
  const detect = async (tensor) => (await faceapi.detectAllFaces(tensor, detectorOptions)
    .withFaceLandmarks().withFaceDescriptors()).length;
  const runRound = async () => {
    const faces = [];
    for (const input of inputs) faces.push(await detect(input.tensor));
    return faces;
  };

  // Warm-up: one untimed call, on the first photo (tfjs's cpu and wasm backends compile nothing per
  // shape; this pays for V8's JIT and the first allocations).
  const tensorsBefore = tf.memory().numTensors;
  start = process.hrtime.bigint();
  await detect(inputs[0].tensor);
  const warmupSeconds = seconds(start);
  process.stderr.write(`warm-up (${path.basename(inputs[0].file)}) ${warmupSeconds.toFixed(2)} s\n`);

  const roundSeconds = [];
  const roundCpuSeconds = [];
  let facesPerPhoto = null;
  const loadBefore = os.loadavg()[0];
  for (let r = 0; r < opts.rounds; r++) {
    const startCpu = process.cpuUsage();
    start = process.hrtime.bigint();
    const faces = await runRound();
    roundSeconds.push(seconds(start));
    roundCpuSeconds.push(cpuSeconds(startCpu));
    if (facesPerPhoto === null) facesPerPhoto = faces;
    else if (faces.some((n, i) => n !== facesPerPhoto[i])) {
      throw new Error(`round ${r + 1} found ${JSON.stringify(faces)} faces, round 1 found ${JSON.stringify(facesPerPhoto)}`);
    }
    process.stderr.write(`round ${r + 1}/${opts.rounds}: ${roundSeconds[r].toFixed(3)} s (cpu ${roundCpuSeconds[r].toFixed(3)} s)\n`);
  }
  const loadAfter = os.loadavg()[0];
  const tensorsLeaked = tf.memory().numTensors - tensorsBefore;

  for (const input of inputs) input.tensor.dispose();
  faceapi.nets.ssdMobilenetv1.dispose();
  faceapi.nets.faceLandmark68Net.dispose();
  faceapi.nets.faceRecognitionNet.dispose();

  const facesPerRound = facesPerPhoto.reduce((a, b) => a + b, 0);
  const medianSeconds = median(roundSeconds);
  const result = {
    library: `@vladmandic/face-api ${require('@vladmandic/face-api/package.json').version} (dist/face-api.node-wasm.js)`,
    tfjs: require('@tensorflow/tfjs/package.json').version,
    backend: tf.getBackend(),
    threads,
    wasm_threaded_binary: opts.backend === 'wasm' ? threadedBinary : null,
    photos: inputs.length,
    photo_sizes: inputs.map((i) => `${i.width}x${i.height}`),
    rounds: opts.rounds,
    faces_per_round: facesPerRound,
    faces_per_photo: facesPerPhoto,
    median_seconds_per_round: round(medianSeconds, 4),
    round_seconds: roundSeconds.map((s) => round(s, 4)),
    cpu_seconds_per_round_median: round(median(roundCpuSeconds), 4),
    photos_per_second: round(inputs.length / medianSeconds, 3),
    faces_per_second: round(facesPerRound / medianSeconds, 3),
    decode_ms_median: round(median(decodeMs), 1),
    decode_ms: decodeMs.map((ms) => round(ms, 1)),
    warmup_seconds: round(warmupSeconds, 3),
    model_load_seconds: round(modelLoadSeconds, 3),
    tensors_leaked: tensorsLeaked,
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
    node: process.version,
    cpu: `${os.cpus()[0].model} x${os.cpus().length}`,
    loadavg_1min: [round(loadBefore, 2), round(loadAfter, 2)],
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`error: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
