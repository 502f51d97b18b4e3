/**
 * The `digitscan` command line: a thin layer of yargs over the library. Exit codes: 0 all inputs
 * succeeded, 1 some input failed (the rest were still processed), 2 usage or setup error.
 */
// Each command loads the modules it needs when it runs (TF.js, OpenCV's wrapper, the plotting
// library and the trainers together take ~0.3 s to load): `digitscan scan` on worker threads starts
// them without loading TF.js in this thread at all. Only light modules and types are imported here.
import yargs, { Argv } from 'yargs';
import { SingleBar, Presets } from 'cli-progress';
import { BACKENDS, type BackendName } from '../classify/backend-names';
import type { StringModel } from '../classify/string-model';
import type { EnsembleGate } from '../classify/model-io';
import type { CheckDigit, FieldType } from '../segment/fields';
import type { StringSplit } from '../pipeline/strings';
import { CSV_COLUMNS, DEFAULT_CSV_COLUMNS, csvHeader, csvRows, jsonDocument, jsonlLine, parseCsvColumns, type CsvColumn } from '../pipeline/output';
import { packageVersion } from '../version';

/** An error the CLI reports as `digitscan: <message>` with exit code 2 (usage/setup). */
export class UsageError extends Error {}

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

function withModel<T>(y: Argv<T>) {
  return y
    .option('model', { type: 'string', describe: 'model folder (default: the shipped models/default)' })
    .option('backend', { choices: BACKENDS, default: 'wasm' as BackendName, describe: 'TF.js backend (tensorflow = @tensorflow/tfjs-node, if installed)' })
    .option('workers', { type: 'number', describe: 'worker threads for large batches (default: cores)' });
}

/**
 * What the training commands share on the console: Ctrl-C (the first asks the trainer to stop, the
 * second quits at once) and a progress bar per epoch on a terminal.
 */
function trainingConsole(onInterrupt: string) {
  const signal = { stopped: false };
  const onSigint = () => {
    if (signal.stopped) process.exit(130);
    signal.stopped = true;
    err(`\ninterrupt: ${onInterrupt} (Ctrl-C again to quit at once)`);
  };
  process.on('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  let bar: SingleBar | null = null;
  let barEpoch = -1;
  return {
    signal,
    command: ['digitscan', ...process.argv.slice(2)].join(' '),
    /** Moves the epoch's bar to `p.step`; `format` names the `{fields}` that `stats` fills. */
    progress(p: { epoch: number; epochs: number; step: number; steps: number }, format: string, stats: Record<string, string>) {
      if (!tty) return;
      if (p.epoch !== barEpoch) {
        bar?.stop();
        bar = new SingleBar({ format: `epoch ${p.epoch}/${p.epochs} [{bar}] {percentage}% | ETA {eta_formatted} | ${format}`, hideCursor: true }, Presets.shades_classic);
        bar.start(p.steps, 0, Object.fromEntries(Object.keys(stats).map((k) => [k, '-'])));
        barEpoch = p.epoch;
      }
      bar!.update(p.step, stats);
    },
    /** Ends the epoch's bar and prints its summary line. */
    epoch(line: string) {
      bar?.stop();
      bar = null;
      barEpoch = -1;
      err(line);
    },
    close() {
      bar?.stop();
      process.off('SIGINT', onSigint);
    },
  };
}

async function cmdTrain(a: {
  arch?: string; epochs?: number; batchSize?: number; lr?: number; data?: string; init?: string; out: string;
  resume?: boolean; seed?: number; backend: BackendName; workers?: number; augment?: string; validationSplit?: number; limit?: number;
}): Promise<number> {
  const { ARCH_NAMES } = await import('../classify/zoo');
  const { nativeStatus } = await import('../classify/kernels/native');
  const { train } = await import('../classify/train');
  if (a.arch && !ARCH_NAMES.includes(a.arch)) throw new UsageError(`unknown --arch "${a.arch}": choose one of ${ARCH_NAMES.join(', ')}`);
  const ui = trainingConsole('finishing this step and saving a checkpoint');
  // Training speed hangs on this: say which convolutions run (the native ones, or why not).
  if ((a.backend ?? 'wasm') === 'wasm') err(`backend wasm; convolutions: ${nativeStatus().why}`);
  try {
    const r = await train({
      ...a,
      signal: ui.signal,
      command: ui.command,
      onProgress: (p) =>
        ui.progress(p, 'loss {loss} acc {acc} | {sps} samples/s', { loss: p.loss.toFixed(4), acc: p.accuracy.toFixed(4), sps: p.samplesPerSec.toFixed(0) }),
      onEpoch: (l) => {
        const val = l.valAccuracy != null ? ` val_loss ${l.valLoss!.toFixed(4)} val_acc ${l.valAccuracy.toFixed(4)}` : '';
        ui.epoch(`epoch ${l.epoch}: loss ${l.loss.toFixed(4)} acc ${l.accuracy.toFixed(4)}${val} lr ${l.lr.toExponential(2)} ${l.seconds.toFixed(1)}s ${l.samplesPerSec.toFixed(0)} samples/s`);
      },
    });
    ui.close();
    if (r.interrupted) {
      err(`interrupted: checkpoint saved in ${r.out}; continue with: digitscan train --resume --out ${a.out}`);
      return 130;
    }
    if (r.testAccuracy != null) err(`MNIST test accuracy: ${(100 * r.testAccuracy).toFixed(2)}%`);
    err(`model saved to ${r.out} (${r.samplesPerSec.toFixed(0)} samples/s)`);
    return 0;
  } finally {
    ui.close();
  }
}

async function cmdTrainStrings(a: {
  data: string; out: string; epochs?: number; batchSize?: number; lr?: number; synthetic?: number; realRepeats?: number; init?: string;
  resume?: boolean; seed?: number; mnist: boolean; backend: BackendName;
}): Promise<number> {
  const { trainStrings } = await import('../classify/train-strings');
  const ui = trainingConsole('stopping; the checkpoint of the last finished epoch stays in --out');
  try {
    const r = await trainStrings({
      ...a,
      signal: ui.signal,
      command: ui.command,
      onProgress: (p) => ui.progress(p, 'ctc loss {loss} | {sps} samples/s', { loss: p.loss.toFixed(4), sps: p.samplesPerSec.toFixed(0) }),
      onEpoch: (l) =>
        ui.epoch(`epoch ${l.epoch}: ctc loss ${l.loss.toFixed(4)} val string acc ${l.valStringAccuracy.toFixed(4)} lr ${l.lr.toExponential(2)} ${l.seconds.toFixed(1)}s ${l.samplesPerSec.toFixed(0)} samples/s`),
    });
    ui.close();
    if (r.interrupted) {
      err(`interrupted: continue with: digitscan train-strings --resume --data ${a.data} --out ${a.out}`);
      return 130;
    }
    err(`string model saved to ${r.out}`);
    return 0;
  } finally {
    ui.close();
  }
}

async function cmdEnsemble(a: { members: string[]; out: string; measure: boolean; backend: BackendName; unsure?: string[]; unsureBelow: number; gate?: string; gateMember?: string }): Promise<number> {
  const { makeEnsemble } = await import('../classify/ensemble');
  const unsure = a.unsure && a.unsure.length > 0 ? { members: a.unsure, below: a.unsureBelow } : undefined;
  if ((a.gate === undefined) !== (a.gateMember === undefined)) throw new UsageError('--gate and --gate-member go together');
  let gate: EnsembleGate | undefined;
  if (a.gate !== undefined && a.gateMember !== undefined) {
    const v = a.gate.split(',').map((x) => Number(x.trim()));
    if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new UsageError(`--gate "${a.gate}": give FROM,TO,WEIGHT, three numbers (e.g. 0.02,0.08,0.1)`);
    gate = { member: a.gateMember, from: v[0], to: v[1], weight: v[2] };
  }
  const r = await makeEnsemble(a.members, a.out, { measure: a.measure, backend: a.backend, unsure, gate, command: `digitscan ${process.argv.slice(2).join(' ')}` });
  out(`ensemble of ${r.spec.members.length}${unsure ? ` (and ${unsure.members.length} for crops read under ${unsure.below})` : ''}${r.spec.gate ? `, ${r.spec.gate.member} weighed page by page (${r.spec.gate.weight} from a distance of ${r.spec.gate.to})` : ''} written to ${r.out}`);
  if (r.accuracy !== null) {
    r.memberAccuracy.forEach((acc, i) => out(`member ${r.folders[i].name} (${r.folders[i].from}): MNIST test ${(100 * acc).toFixed(2)}%`));
    out(`ensemble: MNIST test ${(100 * r.accuracy).toFixed(2)}%`);
  }
  return 0;
}

async function cmdEvaluate(a: { model?: string; data: string; format: string; report?: string; backend: BackendName; workers?: number }): Promise<number> {
  const [{ Classifier }, { defaultModelDir }, { evaluate, loadEvalData }, { writeEvaluationReport }] = await Promise.all([
    import('../classify/classifier'), import('../classify/model-io'), import('../classify/evaluate'), import('../report/evaluation'),
  ]);
  const clf = await Classifier.load(a.model ?? defaultModelDir(), { backend: a.backend, workers: a.workers });
  try {
    let failed = 0;
    const ds = await loadEvalData(a.data, (p, e) => {
      failed++;
      err(`digitscan: ${e.message.startsWith(p) ? e.message : `${p}: ${e.message}`}`);
    });
    const ev = await evaluate(clf, ds, a.data);
    const m = ev.metrics;
    let reportPath: string | null = null;
    if (a.report) reportPath = await writeEvaluationReport(ev, clf.metadata, clf.modelPath, a.report);
    if (a.format === 'json') {
      out(JSON.stringify({ accuracy: m.accuracy, count: m.count, failed, model: clf.modelPath, data: a.data, macro: m.macro, perClass: m.perClass, confusion: m.confusion, confusedPairs: m.confusedPairs, seconds: ev.seconds, report: reportPath }));
    } else {
      out(`model ${clf.modelPath} (${clf.metadata.arch}) on ${a.data}: accuracy ${(100 * m.accuracy).toFixed(2)}% of ${m.count}${failed ? ` (${failed} unreadable, skipped)` : ''}`);
      out(`macro precision ${(100 * m.macro.precision).toFixed(2)}%  recall ${(100 * m.macro.recall).toFixed(2)}%  F1 ${(100 * m.macro.f1).toFixed(2)}%`);
      out('class  precision  recall     F1  support');
      for (const c of m.perClass) out(`${c.label.padStart(5)}  ${(100 * c.precision).toFixed(2).padStart(8)}% ${(100 * c.recall).toFixed(2).padStart(6)}% ${(100 * c.f1).toFixed(2).padStart(6)}% ${String(c.support).padStart(8)}`);
      out('confusion matrix (rows true, columns predicted):');
      m.confusion.forEach((row, t) => out(`${String(t).padStart(3)} ${row.map((v) => String(v).padStart(5)).join('')}`));
      out(`most confused: ${m.confusedPairs.slice(0, 5).map((p) => `${p.true}→${p.predicted} ×${p.count}`).join(', ') || 'none'}`);
      if (reportPath) out(`report: ${reportPath}`);
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await clf.close();
  }
}

async function cmdClassify(a: { images: string[]; model?: string; format: string; backend: BackendName; workers?: number }): Promise<number> {
  const [{ Classifier }, { defaultModelDir }, { loadOpenCV }, { decodeImage }, { expandInputs }, { normalizeDigit }, { isolateDigit }] = await Promise.all([
    import('../classify/classifier'), import('../classify/model-io'), import('../preprocess/opencv'), import('../io/image'), import('../io/inputs'),
    import('../segment/normalize'), import('../segment/isolate'),
  ]);
  const clf = await Classifier.load(a.model ?? defaultModelDir(), { backend: a.backend, workers: a.workers });
  const cv = await loadOpenCV();
  let failed = 0;
  const fail = (source: string, message: string) => {
    failed++;
    err(`digitscan: ${message}`);
    if (a.format === 'json') out(JSON.stringify({ source, error: message }));
  };
  try {
    for (const item of expandInputs(a.images)) {
      if ('missing' in item) {
        fail(item.missing, `${item.missing}: no such file, or no images match`);
        continue;
      }
      try {
        const img = await decodeImage(item.file);
        const [p] = await clf.classify([normalizeDigit(isolateDigit(cv, img))]);
        if (a.format === 'json') {
          out(JSON.stringify({ source: item.file, digit: p.digit, confidence: +p.confidence.toFixed(6), probabilities: p.probabilities.map((v) => +v.toFixed(6)) }));
        } else {
          out(`${item.file}\t${p.digit}\t${p.confidence.toFixed(4)}`);
        }
      } catch (e) {
        fail(item.file, (e as Error).message);
      }
    }
  } finally {
    await clf.close();
  }
  return failed > 0 ? 1 : 0;
}

async function cmdScan(a: {
  inputs: string[]; model?: string; format: 'json' | 'jsonl' | 'csv'; columns?: string; template?: string; autoFields?: boolean; threshold?: 'otsu' | 'adaptive';
  deskew: boolean; orient: boolean; clahe?: boolean; fieldType: FieldType; pattern?: string; check?: CheckDigit; lexicon?: string; alternatives?: number; minConfidence: number; dpi: number; workSize: number; ppi?: number; pixelLimit?: number; debug?: string; overlay?: string; backend: BackendName;
  concurrency?: number; progress?: boolean; stringModel?: string; touchingModel?: string; signModel?: string; rereadWhole?: boolean; pages?: string;
}): Promise<number> {
  let columns: CsvColumn[] | undefined;
  if (a.columns !== undefined) {
    if (a.format !== 'csv') throw new UsageError('--columns chooses the columns of --format csv');
    try {
      columns = parseCsvColumns(a.columns);
    } catch (e) {
      throw new UsageError(`--columns: ${(e as Error).message}`);
    }
  }
  const { scanInputs, loadTemplate } = await import('../pipeline/scan');
  // A missing or corrupt model is one clear error before any page is read: the thread that reads
  // the pages loads it first (this one, or each worker thread, which reports it and stops the scan).
  if (a.touchingModel && a.touchingModel !== 'none') {
    const [{ Classifier }, { ModelError }] = await Promise.all([import('../classify/classifier'), import('../classify/model-io')]);
    const t = await Classifier.load(a.touchingModel, { backend: a.backend, workers: 1 });
    await t.close();
    if (t.numClasses <= 10) throw new ModelError(`${a.touchingModel}: --touching-model needs a model with a reject class (this one has only digits)`);
  }
  if (a.signModel && a.signModel !== 'none') {
    const [{ Classifier }, { ModelError }] = await Promise.all([import('../classify/classifier'), import('../classify/model-io')]);
    const t = await Classifier.load(a.signModel, { backend: a.backend, workers: 1 });
    await t.close();
    if (t.numClasses <= 10) throw new ModelError(`${a.signModel}: --sign-model needs a model with a reject class, "a sign" (this one has only digits)`);
  }
  const stringModel = await loadStringModelOption(a.stringModel, a.fieldType === 'amount' || !!loadTemplate(a.template)?.fields.some((f) => f.type === 'amount'), a.backend);
  // The CSV header goes out with the first row, or at the end: not before a setup error.
  let headed = a.format !== 'csv';
  const head = () => {
    if (!headed) out(csvHeader(columns));
    headed = true;
  };
  const bar = a.progress ?? (process.stderr.isTTY && !process.stdout.isTTY)
    ? new SingleBar({ format: 'scan [{bar}] {value}/{total} files | {pages} pages | {rate} pages/s | ETA {eta_formatted}', stream: process.stderr }, Presets.shades_classic)
    : null;
  let pages = 0;
  const t0 = performance.now();
  try {
    const r = await scanInputs(
      a.inputs,
      {
        template: a.template, autoFields: a.autoFields, threshold: a.threshold, deskew: a.deskew, orient: a.orient, clahe: a.clahe, fieldType: a.fieldType, pattern: a.pattern, check: a.check, lexicon: a.lexicon, alternatives: a.alternatives, minConfidence: a.minConfidence, dpi: a.dpi,
        workSize: a.workSize, ppi: a.ppi, pixelLimit: a.pixelLimit, debug: a.debug, overlay: a.overlay, model: a.model, backend: a.backend, stringModel, touchingModel: a.touchingModel, signModel: a.signModel, rereadWhole: a.rereadWhole, concurrency: a.concurrency, pages: a.pages,
      },
      (doc) => {
        if (doc.error) err(`digitscan: ${doc.error}`);
        if (a.format === 'json') out(jsonDocument(doc));
        bar?.increment(1, { pages, rate: (pages / ((performance.now() - t0) / 1000)).toFixed(1) });
      },
      (doc, page) => {
        pages++;
        if (page.error) err(`digitscan: ${page.error}`);
        if (a.format === 'jsonl') out(jsonlLine(doc.source, page));
        if (a.format === 'csv') {
          head();
          csvRows(doc.source, page, columns).forEach((l) => out(l));
        }
        bar?.update({ pages, rate: (pages / ((performance.now() - t0) / 1000)).toFixed(1) });
      },
      (files) => bar?.start(files, 0, { pages: 0, rate: '0.0' }),
    );
    head();
    return r.failed > 0 ? 1 : 0;
  } finally {
    bar?.stop();
  }
}

async function cmdMakeStringSet(a: { data: string; out: string; seed: number; mnistRejects: number; rejectRatio: number; all?: boolean }): Promise<number> {
  const [{ readStringLabels, splitStrings }, { buildStringSet }, { saveIdxSet }] = await Promise.all([import('../io/labels'), import('../classify/data/checks'), import('../classify/data/dataset')]);
  const strings = readStringLabels(a.data);
  const part = a.all ? strings : splitStrings(strings).train;
  err(`building digit and reject samples from ${part.length} of ${strings.length} strings in ${a.data}${a.all ? '' : ' (the training split; every 5th string is held out)'}`);
  if (!(a.rejectRatio >= 0) || !(a.mnistRejects >= 0)) throw new UsageError('--reject-ratio and --mnist-rejects must be >= 0');
  const { set, counts } = await buildStringSet(part, { seed: a.seed, mnistRejects: a.mnistRejects, rejectRatio: a.rejectRatio });
  saveIdxSet(set, a.out);
  out(`${a.out}: ${set.count} samples (${counts.stringDigits} digits and ${counts.stringRejects} rejects from strings, ${counts.mnistRejects} rejects from MNIST)`);
  return 0;
}

async function cmdMakeSignSet(a: { out: string; count: number; seed: number }): Promise<number> {
  const [{ makeSignSet, signFonts }, { saveIdxSet }] = await Promise.all([import('../samples/signs'), import('../classify/data/dataset')]);
  if (!(a.count >= 1) || !Number.isInteger(a.count)) throw new UsageError('--count must be a whole number >= 1');
  err(`drawing ${a.count} currency signs in ${signFonts().join(', ')}`);
  const set = makeSignSet({ count: a.count, seed: a.seed });
  saveIdxSet(set, a.out);
  out(`${a.out}: ${set.count} signs, labelled not a digit (10)`);
  return 0;
}

async function cmdMakeFormSet(a: { out: string; pages: number; seed: number; model?: string; backend: BackendName; digits: string }): Promise<number> {
  const [{ Classifier }, { makeFormSet }, { saveIdxSet }, { loadEvalData }] = await Promise.all([
    import('../classify/classifier'), import('../samples/form-set'), import('../classify/data/dataset'), import('../classify/evaluate'),
  ]);
  if (!(a.pages >= 1) || !Number.isInteger(a.pages)) throw new UsageError('--pages must be a whole number >= 1');
  // Bare "mnist" is the training set here, as in train --data.
  const digits = await loadEvalData(a.digits === 'mnist' ? 'mnist-train' : a.digits, (p, e) => err(`skipped ${p}: ${e.message}`));
  const clf = await Classifier.load(a.model, { backend: a.backend, workers: 1 });
  err(`reading ${a.pages} generated forms of ${digits.source} (seeds ${a.seed}+) with ${clf.modelPath}`);
  try {
    const r = await makeFormSet(clf, {
      pages: a.pages, seed: a.seed, digits,
      onPage: (done, crops) => { if (done % 25 === 0 || done === a.pages) err(`${done} / ${a.pages} pages, ${crops} crops`); },
    });
    saveIdxSet(r.set, a.out);
    out(`${a.out}: ${r.set.count} crops from ${r.cutAsWritten} of ${r.fields} fields cut into as many digits as written (${r.misread} of them misread)`);
  } finally {
    await clf.close();
  }
  return 0;
}

/**
 * The string model for amount fields: `none` (read amounts digit by digit), a folder, or the shipped
 * one; loaded up front (when amounts are to be read) so that a bad model is one clear error.
 */
async function loadStringModelOption(option: string | undefined, needed: boolean, backend: BackendName): Promise<StringModel | 'none' | undefined> {
  if (option === 'none') return 'none';
  if (!needed && option === undefined) return undefined;
  const { StringModel, defaultStringModelDir } = await import('../classify/string-model');
  return StringModel.load(option ?? defaultStringModelDir(), backend);
}

async function cmdEvaluateStrings(a: {
  data: string; model?: string; backend: BackendName; fieldType: FieldType; split: StringSplit; limit?: number; format: 'text' | 'json'; report?: string;
  deskew: boolean; threshold?: 'otsu' | 'adaptive'; clahe?: boolean; stringModel?: string;
}): Promise<number> {
  const [{ Classifier }, { defaultModelDir }, { evaluateStrings, formatStringEvaluation, writeStringReport }] = await Promise.all([
    import('../classify/classifier'), import('../classify/model-io'), import('../pipeline/strings'),
  ]);
  const clf = await Classifier.load(a.model ?? defaultModelDir(), { backend: a.backend, workers: 1 });
  const stringModel = await loadStringModelOption(a.stringModel, a.fieldType === 'amount', a.backend);
  const bar = process.stderr.isTTY ? new SingleBar({ format: 'read [{bar}] {value}/{total} fields | ETA {eta_formatted}', stream: process.stderr }, Presets.shades_classic) : null;
  try {
    const ev = await evaluateStrings(a.data, {
      classifier: clf, stringModel, fieldType: a.fieldType, split: a.split, limit: a.limit, deskew: a.deskew, threshold: a.threshold, clahe: a.clahe,
      onProgress: (done, total) => {
        if (done === 0) bar?.start(total, 0);
        else bar?.update(done);
      },
    });
    bar?.stop();
    if (a.format === 'json') {
      const { readings, curve, ...summary } = ev;
      out(JSON.stringify({ ...summary, accuracy: ev.stringAccuracy, curve, readings }));
    } else formatStringEvaluation(ev).forEach((l) => out(l));
    if (a.report) err(`report: ${await writeStringReport(ev, a.report)}`);
    return ev.readings.some((r) => r.error) ? 1 : 0;
  } finally {
    bar?.stop();
    await clf.close();
  }
}

async function cmdCalibrate(a: { data: string; model?: string; out: string; backend: BackendName; second?: string }): Promise<number> {
  const [{ isStringModel }, { calibrateStringModel }, { calibrateOnStrings }, { defaultModelDir }] = await Promise.all([
    import('../classify/string-model'), import('../pipeline/strings'), import('../classify/calibrate-strings'), import('../classify/model-io'),
  ]);
  if (a.model && isStringModel(a.model)) {
    const r = await calibrateStringModel(a.model, a.data, a.out, { backend: a.backend, second: a.second });
    out(`temperature ${r.temperature.toFixed(4)} fitted on half of ${r.fields} held-out fields of ${a.data}; on the other half: log-loss ${r.nllBefore.toFixed(4)} -> ${r.nllAfter.toFixed(4)}, ECE ${(100 * r.eceBefore).toFixed(2)}% -> ${(100 * r.eceAfter).toFixed(2)}%`);
    if (r.second) out(`second reader ${r.second.model}: agrees on ${r.second.agreeing} of ${r.fields} fields; weights ${r.second.weights.map((w) => w.toFixed(3)).join(' ')}; on the other half: log-loss ${r.second.nllBefore.toFixed(4)} -> ${r.second.nllAfter.toFixed(4)}, ECE ${(100 * r.second.eceBefore).toFixed(2)}% -> ${(100 * r.second.eceAfter).toFixed(2)}%`);
    out(`saved ${a.out}`);
    return 0;
  }
  const r = await calibrateOnStrings(a.model ?? defaultModelDir(), a.data, a.out, { backend: a.backend });
  out(`temperature ${r.temperature.toFixed(4)} fitted on ${r.samples} held-out samples of ${a.data}: NLL ${r.nllBefore.toFixed(4)} -> ${r.nllAfter.toFixed(4)}, ECE ${(100 * r.eceBefore).toFixed(2)}% -> ${(100 * r.eceAfter).toFixed(2)}%`);
  out(`saved ${a.out}`);
  return 0;
}

async function cmdZoo(): Promise<number> {
  const [{ useBackend }, { PRESETS, countParams }] = await Promise.all([import('../classify/backend'), import('../classify/zoo')]);
  await useBackend('cpu');
  for (const p of Object.values(PRESETS)) {
    const r = p.recipe;
    out(`${p.name.padEnd(8)} ${String(countParams(p.build())).padStart(8)} params  paper ${p.paper}`);
    out(`         ${p.description}`);
    out(`         recipe: adam lr ${r.lr} ${r.schedule.kind}, batch ${r.batchSize}, ${r.epochs} epochs, validation ${(r.validationSplit * 100).toFixed(1)}%, augment ${r.augment ? JSON.stringify(r.augment) : 'none'}; claimed ${p.claimedAccuracy != null ? (100 * p.claimedAccuracy).toFixed(2) + '%' : 'n/a'}`);
  }
  return 0;
}

// For `train --help` and its option checks only (yargs builders are synchronous).
const zooNames = () => (require('../classify/zoo') as typeof import('../classify/zoo')).ARCH_NAMES.join(', ');
const augmentNames = () => Object.keys((require('../classify/train') as typeof import('../classify/train')).AUGMENTS);

/** Runs the CLI on `argv` (without `node script`); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const run = (p: Promise<number> | number) => {
    return Promise.resolve(p).then((c) => {
      code = c;
    });
  };
  const parser = yargs(argv)
    .scriptName('digitscan')
    .usage('$0 <command> [options]\n\nRead handwritten digits off scanned documents.')
    .command(
      'scan <inputs...>',
      'read the digit fields of scanned pages (PNG, JPEG, TIFF, WebP, GIF, AVIF, HEIC, BMP, PNM, PDF; files, folders, globs)',
      (y) =>
        withModel(y)
          .positional('inputs', { type: 'string', array: true, describe: 'image/PDF files, folders (recursive) or globs' })
          .option('format', { choices: ['json', 'jsonl', 'csv'], default: 'json', describe: 'json: a document per input per line; jsonl: a line per page; csv: a row per field' })
          .option('columns', { type: 'string', describe: `the columns of --format csv, comma-separated, from: ${CSV_COLUMNS.join(", ")} (default: ${DEFAULT_CSV_COLUMNS.join(",")})` })
          .option('template', { type: 'string', describe: 'form template JSON: named fields as page-relative boxes' })
          .option('auto-fields', { type: 'boolean', describe: 'find the printed boxes and read each as a field (box-1, ...); handwriting outside them is read by lines (line-1, ...)' })
          .option('threshold', { choices: ['otsu', 'adaptive'], default: 'otsu', describe: 'binarization: adaptive for uneven light or patterned paper' })
          .option('clahe', { type: 'boolean', describe: 'equalize contrast (CLAHE) before thresholding: faint or unevenly lit scans' })
          .option('deskew', { type: 'boolean', default: true, describe: 'correct page skew (--no-deskew to skip)' })
          .option('orient', { type: 'boolean', default: true, describe: 'a page that reads poorly is looked at for which way up its print stands and read again turned upright (180 degrees or a quarter; with no print, 180 degrees kept when its digits read clearly better); --no-orient to skip' })
          .option('field-type', { choices: ['digits', 'amount', 'zip', 'date'], default: 'digits', describe: 'what fields hold, unless their template says: digits (any), amount (separators, groups of three; the result has the amount with its commas and points as text), zip (5 or 9 digits), date (day, month, year; handwritten slashes between them told from 1s, or dashes, or dots; the result has the date as text)' })
          .option('pattern', { type: 'string', describe: 'a regular expression every field\'s whole value must match, unless its template gives one, e.g. "(19|20)[0-9]{2}": a value read digit by digit that breaks it is replaced by the most probable one of as many digits that matches, and flagged' })
          .option('check', { choices: ['luhn', 'gtin'], describe: 'the check digit every field ends in, unless its template names one: luhn (payment cards, IMEI, many IDs) or gtin (UPC/EAN product numbers); a value read digit by digit whose check fails is replaced by the most probable one of as many digits whose check holds, and flagged' })
          .option('string-model', { type: 'string', describe: 'string model that reads amount fields whole, and digit fields where contours and recognition find different numbers of digits (default: the shipped models/amount; none: digit by digit with --model)' })
          .option('lexicon', { type: 'string', describe: 'a text file of the values every field may hold, one a line (zip codes, account numbers; spaces and hyphens ignored), unless its template gives a lexicon: a field read digit by digit becomes the most probable value of as many digits in it, its confidence the probability that it is right; a value of no length in it is flagged' })
          .option('alternatives', { type: 'number', describe: 'give each field its K next most probable values with their probabilities ("alternatives" in JSON and JSONL; values that fit the field\'s pattern, check digit or lexicon), 0-20' })
          .option('touching-model', { type: 'string', describe: 'digit model with a reject class that re-reads fields where digits may touch, by recognition-based segmentation (default: the shipped models/check; none: contours only)' })
          .option('sign-model', { type: 'string', describe: 'model that tells currency signs from digits: a mark at either end of a field it calls a sign ($ € £ ¥) is not read (default: the shipped models/signs; none: every mark is read)' })
          .option('reread-whole', { type: 'boolean', describe: 'fields read digit by digit under 0.98 confidence are read again whole by the string model, the more confident reading kept: helps real check writers\' handwriting, costs MNIST-like handwriting (see README)' })
          .option('min-confidence', { type: 'number', default: 0.9, describe: 'fields whose confidence (probability the string is right) is below this need review' })
          .option('dpi', { type: 'number', default: 300, describe: 'PDF rasterization resolution: the pixels boxes are given in' })
          .option('work-size', { type: 'number', default: (require('../pipeline/scan') as typeof import('../pipeline/scan')).DEFAULT_WORK_SIZE, describe: 'pages are read with their shorter side reduced to this many pixels (150 dpi for letter; pages of known resolution at that resolution, enlarged to it from under 120 dpi, pages of unknown resolution from under 1020 px); boxes are still in page pixels; 0 = full resolution' })
          .option('ppi', { type: 'number', describe: "resolution of the input images, instead of their files' (it sets the scale a check, a postcard or a half page is read at); 0: read each image as one whose file states none (or 72/96) is: a letter/A4 page by its shorter side, a strip (twice as long as wide or more) as 8.5 in long" })
          .option('pixel-limit', { type: 'number', describe: 'refuse a page with more pixels than this to decode or draw (default: 268402689, as sharp)' })
          .option('debug', { type: 'string', describe: 'write every preprocessing step\'s image here' })
          .option('overlay', { type: 'string', describe: 'write a PNG per page with boxes and digits drawn over the scan' })
          .option('concurrency', { type: 'number', describe: 'files (and pages of multi-page files) scanned in parallel (default: number of cores)' })
          .option('pages', { type: 'string', describe: 'read only these pages of each file (PDF and TIFF pages), e.g. 1 or 1,3-5,8- (8 to the last); default: all' })
          .option('progress', { type: 'boolean', describe: 'progress bar on stderr (default: when stderr is a terminal and stdout is not)' }),
      (a) => run(cmdScan(a as never)),
    )
    .command(
      'classify <images...>',
      'classify images that each hold one digit (any size, either polarity)',
      (y) => withModel(y).positional('images', { type: 'string', array: true, describe: 'image files, folders or globs' }).option('format', { choices: ['text', 'json'], default: 'text' }),
      (a) => run(cmdClassify(a as never)),
    )
    .command(
      'evaluate',
      'measure a model: accuracy, per-class precision/recall/F1, confusion matrix; --report writes HTML with plots',
      (y) =>
        withModel(y)
          .option('data', { type: 'string', default: 'mnist-test', describe: 'mnist-test, mnist-train, or a folder of class folders 0..9 / a TSV of image<TAB>label' })
          .option('format', { choices: ['text', 'json'], default: 'text' })
          .option('report', { type: 'string', describe: 'folder for an HTML report with PNG plots' }),
      (a) => run(cmdEvaluate(a as never)),
    )
    .command(
      'train',
      'train a model-zoo preset with its paper\'s recipe (every option overrides it)',
      (y) =>
        y
          .option('arch', { type: 'string', describe: `preset: ${zooNames()} (default vgg-bn, or the --init model's)` })
          .option('epochs', { type: 'number' })
          .option('batch-size', { type: 'number' })
          .option('lr', { type: 'number', describe: 'peak learning rate' })
          .option('warmup-epochs', { type: 'number', describe: 'epochs of linear warm-up before the cosine decay (warmup-cosine recipes)' })
          .option('data', { type: 'string', describe: 'mnist (default), a folder of class folders 0..9, a TSV of image<TAB>label, or a make-string-set folder; several joined by commas, each optionally repeated with *N' })
          .option('init', { type: 'string', describe: 'start from this model\'s weights (fine-tuning)' })
          .option('out', { type: 'string', demandOption: true, describe: 'output folder (model + checkpoint)' })
          .option('resume', { type: 'boolean', describe: 'continue from the checkpoint in --out' })
          .option('seed', { type: 'number', default: 1 })
          .option('augment', { choices: ['recipe', ...augmentNames()], default: 'recipe', describe: 'augmentation: the recipe\'s, none, paper (004), scan (004 + scan-like variation)' })
          .option('validation-split', { type: 'number' })
          .option('limit', { type: 'number', describe: 'use only the first N training samples' })
          .option('backend', { choices: BACKENDS, default: 'wasm' as BackendName })
          .option('workers', { type: 'number', describe: 'data-parallel worker threads (default: cores)' }),
      (a) => run(cmdTrain(a as never)),
    )
    .command(
      'train-strings',
      'train a string model (reads whole fields, CTC) on labeled field images (labels.tsv, training split) plus synthetic fields',
      (y) =>
        y
          .option('data', { type: 'string', demandOption: true, describe: 'folder with labels.tsv (file, width, height, digits, boxes) and images/' })
          .option('out', { type: 'string', demandOption: true, describe: 'output folder (model + checkpoint)' })
          .option('epochs', { type: 'number' })
          .option('batch-size', { type: 'number' })
          .option('lr', { type: 'number', describe: 'peak learning rate (cosine decay)' })
          .option('synthetic', { type: 'number', describe: 'synthetic fields per epoch' })
          .option('real-repeats', { type: 'number', describe: 'passes over the real training fields per epoch' })
          .option('mnist', { type: 'boolean', default: true, describe: 'also compose synthetic fields from MNIST training digits (--no-mnist: real strokes only)' })
          .option('init', { type: 'string', describe: 'start from this string model' })
          .option('resume', { type: 'boolean', describe: 'continue from the checkpoint in --out' })
          .option('seed', { type: 'number' })
          .option('backend', { choices: BACKENDS, default: 'wasm' as BackendName }),
      (a) => run(cmdTrainStrings(a as never)),
    )
    .command(
      'evaluate-strings',
      'measure string reading on labeled field images (labels.tsv): string and digit accuracy, accuracy-reject curve; --report writes HTML with its plot',
      (y) =>
        withModel(y)
          .option('data', { type: 'string', demandOption: true, describe: 'folder with labels.tsv (file, width, height, digits[, boxes]) and images/' })
          .option('field-type', { choices: ['digits', 'amount', 'zip', 'date'], default: 'digits', describe: 'what the fields hold (amount: separators, groups of three; date: handwritten slashes, dashes or dots told from the digits, which are what is compared with the labels)' })
          .option('string-model', { type: 'string', describe: 'string model that reads amount fields whole, and digit fields where contours and recognition find different numbers of digits (default: the shipped models/amount; none: digit by digit with --model)' })
          .option('split', { choices: ['all', 'train', 'heldout'], default: 'all', describe: 'all strings, or the fixed split (every 5th string held out)' })
          .option('limit', { type: 'number', describe: 'only the first N strings' })
          .option('threshold', { choices: ['otsu', 'adaptive'], default: 'otsu' })
          .option('clahe', { type: 'boolean', describe: 'equalize contrast (CLAHE) before thresholding' })
          .option('deskew', { type: 'boolean', default: true })
          .option('format', { choices: ['text', 'json'], default: 'text' })
          .option('report', { type: 'string', describe: 'folder for an HTML report with the accuracy-reject curve (PNG)' }),
      (a) => run(cmdEvaluateStrings(a as never)),
    )
    .command(
      'calibrate',
      'fit a temperature for calibrated confidences on the held-out part of labeled strings and save the model with it',
      (y) =>
        withModel(y)
          .option('data', { type: 'string', demandOption: true, describe: 'folder with labels.tsv with per-digit boxes (its held-out split is used)' })
          .option('out', { type: 'string', demandOption: true, describe: 'output model folder (may be the --model folder)' })
          .option('second', { type: 'string', describe: 'string ensembles: a digit model with a reject class that reads each field digit by digit; whether it agrees enters the field confidence (default: the one the ensemble names)' }),
      (a) => run(cmdCalibrate(a as never)),
    )
    .command(
      'make-string-set',
      'build training samples for reading strings: digit crops and bad cuts (a reject class) from labeled strings (labels.tsv) and MNIST',
      (y) =>
        y
          .option('data', { type: 'string', demandOption: true, describe: 'folder with labels.tsv (file, width, height, digits, boxes) and images/' })
          .option('out', { type: 'string', demandOption: true, describe: 'output folder (IDX files; pass it to train --data)' })
          .option('seed', { type: 'number', default: 1 })
          .option('mnist-rejects', { type: 'number', default: 8000, describe: 'reject samples made from MNIST training digits' })
          .option('reject-ratio', { type: 'number', default: 1.5, describe: 'at most this many bad cuts from the strings per digit sample (0 and --mnist-rejects 0: digits only, for a digits-only model)' })
          .option('all', { type: 'boolean', describe: 'use every string (default: the training split only)' }),
      (a) => run(cmdMakeStringSet(a as never)),
    )
    .command(
      'make-sign-set',
      'draw printed currency signs ($ € £ ¥) as the pipeline cuts them, labelled not a digit: with digits (train --data \'mnist,SIGNS\'), a model that tells signs from digits (models/signs)',
      (y) =>
        y
          .option('out', { type: 'string', demandOption: true, describe: 'output folder (IDX files; pass it to train --data)' })
          .option('count', { type: 'number', default: 12000, describe: 'signs to draw' })
          .option('seed', { type: 'number', default: 1 }),
      (a) => run(cmdMakeSignSet(a as never)),
    )
    .command(
      'make-form-set',
      'build training samples as the scan pipeline cuts them: generated forms filled with MNIST training digits (or --digits), read with their templates; every crop the classifier saw, labeled',
      (y) =>
        y
          .option('out', { type: 'string', demandOption: true, describe: 'output folder (IDX files; pass it to train --data)' })
          .option('pages', { type: 'number', default: 250, describe: 'forms to generate and read (~90 crops and ~2 s each)' })
          .option('seed', { type: 'number', default: 100000, describe: "first page's seed (page i: seed + i); runs with seeds far apart can be joined in --data" })
          .option('digits', { type: 'string', default: 'mnist-train', describe: 'handwriting that fills the forms: mnist-train, mnist-test (to measure a model on, never to train on), or a folder (a make-string-set folder, class folders 0..9, a TSV)' })
          .option('model', { type: 'string', describe: 'digit model that reads the pages (default: the shipped models/default)' })
          .option('backend', { choices: BACKENDS, default: 'wasm' as BackendName }),
      (a) => run(cmdMakeFormSet(a as never)),
    )
    .command(
      'ensemble <members...>',
      'combine trained digit models into one model folder whose networks vote (their probabilities averaged); measures each and the ensemble on MNIST test',
      (y) =>
        y
          .positional('members', { type: 'string', array: true, describe: 'digit model folders (two or more, same classes; one with --unsure; one listed twice counts twice)' })
          .option('out', { type: 'string', demandOption: true, describe: 'output folder: members copied to a, b, ... and ensemble.json' })
          .option('measure', { type: 'boolean', default: true, describe: 'measure each member and the ensemble on MNIST test (--no-measure to skip)' })
          .option('unsure', { type: 'string', array: true, describe: 'more digit model folders that read only the crops the members are unsure of (their mean under --unsure-below)' })
          .option('unsure-below', { type: 'number', default: 0.99, describe: 'with --unsure: a crop whose members\' top probability is under this is read by the --unsure models too' })
          .option('gate-member', { type: 'string', describe: 'one of the members, weighed against the others page by page (with --gate): the network trained on the handwriting most pages hold' })
          .option('gate', { type: 'string', describe: 'FROM,TO,WEIGHT: on a page where --gate-member and the others read its first digits apart by a mean total-variation distance of TO or more, the member weighs WEIGHT; up to FROM, its plain share; linear between (e.g. 0.02,0.08,0.1)' })
          .option('backend', { choices: BACKENDS, default: 'wasm' as BackendName }),
      (a) => run(cmdEnsemble(a as never)),
    )
    .command('zoo', 'list the model-zoo presets with their papers and recipes', {}, () => run(cmdZoo()))
    .demandCommand(1, 'name a command: scan, classify, evaluate, evaluate-strings, calibrate, train, train-strings, make-string-set, make-sign-set, make-form-set, ensemble or zoo')
    .strict()
    .version(packageVersion())
    .help()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .fail((msg, e) => {
      throw e ?? new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    const m = (e as Error).message;
    err(`digitscan: ${m}`);
    if (e instanceof UsageError) err('Run "digitscan --help" for usage.');
    return 2;
  }
  return code;
}
