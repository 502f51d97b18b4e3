/**
 * Making a digit ensemble: several trained digit models copied into one folder (`a`, `b`, ...)
 * with an `ensemble.json` that names them; {@link Classifier} averages their probabilities.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Classifier } from './classifier';
import { evaluate, loadEvalData } from './evaluate';
import { DIGIT_ENSEMBLE_FORMAT, DigitEnsembleSpec, EnsembleGate, gateProblem, loadModel, ModelError, packageVersion, readDigitEnsemble } from './model-io';
import { BackendName, useBackend } from './backend';

/** What {@link makeEnsemble} wrote and measured. */
export interface EnsembleResult {
  out: string;
  spec: DigitEnsembleSpec;
  /** The ensemble's model folders, each once (a model listed twice is one folder), with the folder it was copied from. */
  folders: Array<{ name: string; from: string }>;
  /** MNIST test accuracy of each of {@link folders} and of the ensemble (when measured). */
  memberAccuracy: number[];
  accuracy: number | null;
}

/**
 * Copies the digit models `members` (folders) into `out/a`, `out/b`, ... and writes
 * `out/ensemble.json`; with `measure` (default true) each member and the ensemble are measured on
 * the MNIST test set and the figures stored in the ensemble's metrics.
 *
 * With `unsure`, those models are copied too (named on from the members') and read only the crops
 * the members' mean is less sure of than `unsure.below` (see `DigitEnsembleSpec.unsure`).
 *
 * @example
 * await makeEnsemble(['runs/net1', 'runs/net2'], 'models/mine');  // then: Classifier.load('models/mine')
 * await makeEnsemble(['runs/net1', 'runs/net2'], 'models/mine', { unsure: { members: ['runs/net3'], below: 0.99 } });
 */
export async function makeEnsemble(
  members: string[],
  out: string,
  options: { measure?: boolean; backend?: BackendName; command?: string; unsure?: { members: string[]; below: number }; gate?: EnsembleGate } = {},
): Promise<EnsembleResult> {
  const unsure = options.unsure && options.unsure.members.length > 0 ? options.unsure : undefined;
  // One model with unsure readers is an ensemble too (the readers join it on the crops it is unsure of).
  if (members.length < (unsure ? 1 : 2)) throw new ModelError(unsure ? 'an ensemble needs a member model' : 'an ensemble needs two or more member models (or one with unsure readers)');
  if (unsure && !(unsure.below > 0 && unsure.below <= 1)) throw new ModelError(`unsure readers: "below" must be a probability in (0, 1], not ${unsure.below}`);
  await useBackend(options.backend ?? 'wasm');
  const all = [...members, ...(unsure?.members ?? [])];
  // One folder per model: a model listed twice (a member that counts twice in the vote, or an unsure
  // reader that is also a member, to weigh it more on unsure crops) is copied once, named twice, and
  // read once.
  const folderOf = new Map<string, string>();
  const allNames = all.map((m) => {
    const k = resolve(m);
    if (!folderOf.has(k)) folderOf.set(k, String.fromCharCode(97 + folderOf.size));
    return folderOf.get(k)!;
  });
  const names = allNames.slice(0, members.length);
  const unique = [...new Set(allNames)].map((n) => ({ name: n, from: all[allNames.indexOf(n)] }));
  let gate: EnsembleGate | undefined;
  if (options.gate) {
    // The gate names its member by the folder it was given as; the ensemble by the member's name.
    const { member, ...rest } = options.gate;
    const at = members.findIndex((m) => resolve(m) === resolve(member));
    if (at < 0) throw new ModelError(`gate member ${member} is not one of the members (${members.join(', ')})`);
    if (unsure) throw new ModelError('a gate cannot be combined with unsure readers');
    gate = { member: names[at], ...rest };
    const why = gateProblem(gate, names);
    if (why) throw new ModelError(why);
  }
  const classes = new Set<string>();
  for (const m of all) {
    if (readDigitEnsemble(m)) throw new ModelError(`${m}: an ensemble itself: name its member folders instead`);
    classes.add((await loadModel(m)).metadata.classes.join(','));
  }
  if (classes.size > 1) throw new ModelError(`members have different classes (${[...classes].join(' / ')})`);
  const dst = resolve(out);
  if (all.some((m) => resolve(m).startsWith(dst + '/') || resolve(m) === dst)) throw new ModelError(`${out}: the output folder holds a member; write the ensemble elsewhere`);
  mkdirSync(dst, { recursive: true });
  // A single model's files where the ensemble goes would be read instead of it by older versions.
  for (const f of ['model.json', 'weights.bin']) if (existsSync(join(dst, f))) rmSync(join(dst, f));
  for (const { name, from } of unique) {
    mkdirSync(join(dst, name), { recursive: true });
    for (const f of ['model.json', 'weights.bin']) copyFileSync(join(from, f), join(dst, name, f));
  }
  const spec: DigitEnsembleSpec = {
    format: DIGIT_ENSEMBLE_FORMAT,
    members: names,
    ...(unsure ? { unsure: { below: unsure.below, members: allNames.slice(members.length) } } : {}),
    ...(gate ? { gate } : {}),
    training: { members: unique.map((u) => ({ folder: u.name, from: u.from })), command: options.command ?? null, date: new Date().toISOString(), packageVersion: packageVersion() },
    metrics: {},
  };
  writeFileSync(join(dst, 'ensemble.json'), JSON.stringify(spec, null, 1) + '\n');
  const memberAccuracy: number[] = [];
  let accuracy: number | null = null;
  if (options.measure !== false) {
    const test = await loadEvalData('mnist-test');
    for (const d of [...unique.map((u) => join(dst, u.name)), dst]) {
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
  return { out: dst, spec, folders: unique, memberAccuracy, accuracy };
}
