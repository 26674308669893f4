// One model timed in TinySeg's interpreter and in tfjs-tflite, in whatever
// JavaScript host runs it: Node calls measureModel directly, Chromium runs its
// source in a page (Playwright serializes it), so it reads both runtimes from
// globals (globalThis.tinyseg: loadGraph, Interpreter, deterministicInput;
// globalThis.tflite: tfjs-tflite) and closes over nothing.
//
// What is timed is one inference: our Interpreter.setInput() and invoke(), and tfjs-tflite's TFLiteWebModelRunner.infer() (the
// model's own runner, under predict(), so tfjs tensor conversions stay out).
// Both get the same input bytes (the oracle input, deterministicInput). The
// runs alternate ours / theirs so that load from other processes falls on
// both alike, and a sample is as many inferences as fill `sampleMs` (timers in
// a page that is not cross-origin isolated tick in 100 µs steps).

/**
 * @param {[model: Uint8Array | string, budgetMs: number, sampleMs: number]} args the model (bytes, or a URL to fetch),
 *   the time to spend on timed samples (at least 5 each), the least duration of one sample
 * @returns {Promise<{ oursMs: number, theirsMs: number | null, samples: number, sameOutputs: boolean | null, theirsError: string | null }>}
 */
export async function measureModel([model, budgetMs, sampleMs]) {
  const { loadGraph, Interpreter, deterministicInput } = globalThis.tinyseg;
  const tflite = globalThis.tflite;
  const bytes = typeof model === 'string' ? new Uint8Array(await (await fetch(model)).arrayBuffer()) : model;
  const graph = loadGraph(bytes);
  const ours = new Interpreter(graph);
  const inputs = graph.main.inputs.map((t) => deterministicInput(graph.main.tensors[t]));

  const asBytes = (d) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  let runner = null;
  let theirsError = null;
  try {
    const loaded = await tflite.loadTFLiteModel(bytes.slice().buffer, { numThreads: 1 });
    runner = loaded.modelRunner;
    runner.getInputs().forEach((t, i) => asBytes(t.data()).set(inputs[i]));
  } catch (e) {
    theirsError = String(e?.message ?? e).split('\n')[0];
  }

  // TFLM's plan may reuse the input's bytes once it is read: every run puts the input back (a copy, counted in our time).
  const invokeOurs = () => {
    for (let i = 0; i < inputs.length; i++) ours.setInput(i, inputs[i]);
    ours.invoke();
  };
  const invokeTheirs = () => {
    if (!runner.infer()) throw new Error('tfjs-tflite: infer() failed');
  };
  // Both runtimes run alternately for WARM_MS first, so that what is timed is their steady state: V8 compiles each
  // wasm function with its baseline compiler and recompiles the hot ones optimized in the background, and optimizes
  // hot JavaScript after a while (our interpreter's glue, around the kernels, is more of it than tfjs-tflite's one
  // call). Without it, a model run first in a fresh process, on this 2-core machine, timed ours at up to 1.7x its
  // steady state (vww-mnv1: 0.45-0.74 ms against 0.42-0.43 ms after it).
  const WARM_MS = 500;
  const warm = performance.now();
  while (performance.now() - warm < WARM_MS) {
    invokeOurs();
    if (runner) invokeTheirs();
  }
  // Then: the outputs to compare, and how many inferences fill a sample. The time of one inference is
  // taken over at least 2 ms of them: a page's timer ticks in 100 µs steps, so one microsecond-long run reads as 0 or
  // 100 µs, and a sample sized from that would last a tick or two.
  const perRun = (f) => {
    f();
    let n = 0;
    let elapsed;
    const s = performance.now();
    do {
      f();
      n++;
      elapsed = performance.now() - s;
    } while (elapsed < 2);
    return elapsed / n;
  };
  const firstOurs = perRun(invokeOurs);
  const firstTheirs = runner ? perRun(invokeTheirs) : 0;
  let sameOutputs = null;
  if (runner) {
    const theirs = runner.getOutputs().map((t) => asBytes(t.data()));
    sameOutputs = theirs.length === graph.main.outputs.length && theirs.every((b, k) => {
      const o = ours.output(k);
      return b.length === o.length && b.every((v, i) => v === o[i]);
    });
  }
  const repsOurs = Math.max(1, Math.ceil(sampleMs / firstOurs));
  const repsTheirs = runner ? Math.max(1, Math.ceil(sampleMs / firstTheirs)) : 0;
  const perRound = firstOurs * repsOurs + firstTheirs * repsTheirs;
  const samples = Math.min(51, Math.max(5, Math.floor(budgetMs / perRound)));

  const timed = (f, reps) => {
    const s = performance.now();
    for (let r = 0; r < reps; r++) f();
    return (performance.now() - s) / reps;
  };
  const a = [];
  const b = [];
  for (let k = 0; k < samples; k++) {
    a.push(timed(invokeOurs, repsOurs));
    if (runner) b.push(timed(invokeTheirs, repsTheirs));
  }
  const median = (t) => t.sort((x, y) => x - y)[t.length >> 1];
  return { oursMs: median(a), theirsMs: runner ? median(b) : null, samples, sameOutputs, theirsError };
}
