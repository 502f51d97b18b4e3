/**
 * Making a digit ensemble: several trained digit models copied into one folder (`a`, `b`, ...)
 * with an `ensemble.json` that names them; {@link Classifier} averages their probabilities.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Classifier } from './classifier';
import { evaluate, loadEvalData } from './evaluate';
import { DIGIT_ENSEMBLE_FORMAT, DigitEnsembleSpec, loadModel, ModelError, packageVersion, readDigitEnsemble } from './model-io';
import { BackendName, useBackend } from './backend';

/** What {@link makeEnsemble} wrote and measured. */
export interface EnsembleResult {
  out: string;
  spec: DigitEnsembleSpec;
  /** MNIST test accuracy of each member and of the ensemble (when measured). */
  memberAccuracy: number[];
  accuracy: number | null;
}

/**
 * Copies the digit models `members` (folders) into `out/a`, `out/b`, ... and writes
 * `out/ensemble.json`; with `measure` (default true) each member and the ensemble are measured on
 * the MNIST test set and the figures stored in the ensemble's metrics.
 *
 * @example
 * await makeEnsemble(['runs/net1', 'runs/net2'], 'models/mine');  // then: Classifier.load('models/mine')
 */
export async function makeEnsemble(
  members: string[],
  out: string,
  options: { measure?: boolean; backend?: BackendName; command?: string } = {},
): Promise<EnsembleResult> {
  if (members.length < 2) throw new ModelError('an ensemble needs two or more member models');
  await useBackend(options.backend ?? 'wasm');
  const names = members.map((_, i) => String.fromCharCode(97 + i));
  const classes = new Set<string>();
  for (const m of members) {
    if (readDigitEnsemble(m)) throw new ModelError(`${m}: an ensemble itself: name its member folders instead`);
    classes.add((await loadModel(m)).metadata.classes.join(','));
  }
  if (classes.size > 1) throw new ModelError(`members have different classes (${[...classes].join(' / ')})`);
  const dst = resolve(out);
  if (members.some((m) => resolve(m).startsWith(dst + '/') || resolve(m) === dst)) throw new ModelError(`${out}: the output folder holds a member; write the ensemble elsewhere`);
  mkdirSync(dst, { recursive: true });
  // A single model's files where the ensemble goes would be read instead of it by older versions.
  for (const f of ['model.json', 'weights.bin']) if (existsSync(join(dst, f))) rmSync(join(dst, f));
  members.forEach((m, i) => {
    mkdirSync(join(dst, names[i]), { recursive: true });
    for (const f of ['model.json', 'weights.bin']) copyFileSync(join(m, f), join(dst, names[i], f));
  });
  const spec: DigitEnsembleSpec = {
    format: DIGIT_ENSEMBLE_FORMAT,
    members: names,
    training: { members: members.map((m, i) => ({ folder: names[i], from: m })), command: options.command ?? null, date: new Date().toISOString(), packageVersion: packageVersion() },
    metrics: {},
  };
  writeFileSync(join(dst, 'ensemble.json'), JSON.stringify(spec, null, 1) + '\n');
  const memberAccuracy: number[] = [];
  let accuracy: number | null = null;
  if (options.measure !== false) {
    const test = await loadEvalData('mnist-test');
    for (const d of [...names.map((n) => join(dst, n)), dst]) {
      const clf = await Classifier.load(d, { backend: options.backend });
      try {
        const a = (await evaluate(clf, test, 'mnist-test')).metrics.accuracy;
        if (d === dst) accuracy = a;
        else memberAccuracy.push(a);
      } finally {
        await clf.close();
      }
    }
    spec.metrics = { mnistTestAccuracy: accuracy, memberMnistTestAccuracy: memberAccuracy };
    writeFileSync(join(dst, 'ensemble.json'), JSON.stringify(spec, null, 1) + '\n');
  }
  return { out: dst, spec, memberAccuracy, accuracy };
}
