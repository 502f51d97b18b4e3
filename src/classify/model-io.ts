/**
 * Saving and loading models in the TF.js Layers format (`model.json` + `weights.bin`), with
 * digitscan's metadata in model.json's `userDefinedMetadata`: architecture, normalization, training
 * recipe, data, metrics, date and package version.
 */
import type { DigitGate } from './infer';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** How inputs must be prepared for a model: recorded so that a model is self-describing. */
export const NORMALIZATION_SPEC = {
  name: 'mnist',
  size: 28,
  fit: 20,
  centre: 'centre-of-mass',
  ink: 'bright-on-dark',
  range: [0, 1],
} as const;

/** digitscan's metadata stored with a model. */
export interface ModelMetadata {
  format: 'digitscan-model';
  /** `digit` (default: one 28x28 digit in, class probabilities out) or `string` (a whole field in, CTC frames out). */
  kind?: 'digit' | 'string';
  arch: string;
  classes: string[];
  /** How inputs are prepared: {@link NORMALIZATION_SPEC} for digit models, the string model's own for string models. */
  normalization: typeof NORMALIZATION_SPEC | Record<string, unknown>;
  training?: Record<string, unknown>;
  data?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  date: string;
  packageVersion: string;
  /** Optional calibration temperature for the softmax (1 = none). */
  temperature?: number;
  /** For a digit ensemble: its member folders, relative to the ensemble's folder. */
  members?: string[];
  /** For a digit ensemble with unsure readers: see {@link DigitEnsembleSpec.unsure}. */
  unsure?: { below: number; members: string[] };
  /** For a digit ensemble weighed page by page: see {@link DigitEnsembleSpec.gate}. */
  gate?: EnsembleGate;
}

/**
 * How a digit ensemble weighs one member against the others, page by page (see
 * {@link DigitEnsembleSpec.gate}).
 */
export interface EnsembleGate {
  /** The member weighed (a folder named once in `members`). */
  member: string;
  /** Up to this distance between the member's reading and the others' the page is read by the plain mean. */
  from: number;
  /** From this distance on the member weighs `weight`; between `from` and `to` its weight moves linearly. */
  to: number;
  /** The member's weight (0-1) on pages at `to` or beyond; the others share the rest. */
  weight: number;
}

/** Raised when a model folder is missing or unreadable; the message names the path. */
export class ModelError extends Error {}

export { packageVersion } from '../version';

/** The shipped default model's folder. */
export function defaultModelDir(): string {
  return resolve(__dirname, '..', '..', 'models', 'default');
}

/**
 * The shipped digit model with a reject class (`models/check`): it reads fields by recognition-based
 * segmentation (touching digits, check amounts digit by digit).
 */
export function defaultCheckModelDir(): string {
  return resolve(__dirname, '..', '..', 'models', 'check');
}

/** The shipped model that tells currency signs from digits (`models/signs`: its reject class is "a sign"). */
export function defaultSignModelDir(): string {
  return resolve(__dirname, '..', '..', 'models', 'signs');
}

/** Saves `model` with `metadata` into `dir` (created if needed), atomically per file. */
export async function saveModel(model: tfl.LayersModel, dir: string, metadata: ModelMetadata): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(artifacts.weightData as ArrayBuffer);
      const json = {
        format: 'layers-model',
        generatedBy: `digitscan ${metadata.packageVersion}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: metadata,
      };
      writeFileSync(join(dir, 'weights.bin.tmp'), weights);
      writeFileSync(join(dir, 'model.json.tmp'), JSON.stringify(json));
      renameSync(join(dir, 'weights.bin.tmp'), join(dir, 'weights.bin'));
      renameSync(join(dir, 'model.json.tmp'), join(dir, 'model.json'));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** A loaded model and its metadata. */
export interface LoadedModel {
  model: tfl.LayersModel;
  metadata: ModelMetadata;
  dir: string;
}

/**
 * Loads a model folder (or a path to its model.json). Errors name the path and what is wrong:
 * missing, not JSON, not a layers model, weights missing or of the wrong size.
 */
export async function loadModel(path: string = defaultModelDir()): Promise<LoadedModel> {
  const jsonPath = path.endsWith('.json') ? path : join(path, 'model.json');
  const dir = dirname(jsonPath);
  if (!existsSync(jsonPath)) throw new ModelError(`${jsonPath}: model not found (no model.json)`);
  let json: {
    modelTopology?: object;
    weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
    userDefinedMetadata?: ModelMetadata;
  };
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw new ModelError(`${jsonPath}: corrupt model: not valid JSON (${(e as Error).message})`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelError(`${jsonPath}: corrupt model: not a TF.js layers model (no modelTopology/weightsManifest)`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const wp = join(dir, p);
      if (!existsSync(wp)) throw new ModelError(`${jsonPath}: weights file ${wp} is missing`);
      buffers.push(readFileSync(wp));
    }
  }
  const bytes = Buffer.concat(buffers);
  const expected = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bytes.length !== expected) {
    throw new ModelError(`${jsonPath}: corrupt model: weights are ${bytes.length} bytes, the manifest needs ${expected}`);
  }
  let model: tfl.LayersModel;
  try {
    model = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: zeroInitializers(json.modelTopology),
        weightSpecs: specs,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      }),
    );
  } catch (e) {
    throw new ModelError(`${jsonPath}: corrupt model: ${(e as Error).message}`);
  }
  const metadata: ModelMetadata = json.userDefinedMetadata ?? {
    format: 'digitscan-model',
    arch: 'unknown',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    normalization: NORMALIZATION_SPEC,
    date: '',
    packageVersion: '',
  };
  return { model, metadata, dir };
}

/**
 * A copy of a layers topology whose weight initializers are all zeros. Every weight is then
 * overwritten from the weights file, and drawing random ones first (truncated normals for the
 * kernels) costs ~20 ms a network at start-up.
 */
function zeroInitializers(topology: object): object {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = k.endsWith('_initializer') && x && typeof x === 'object' && 'class_name' in x ? { class_name: 'Zeros', config: {} } : walk(x);
    }
    return out;
  };
  return walk(topology) as object;
}

/** `format` of the `ensemble.json` that makes a folder a digit ensemble. */
export const DIGIT_ENSEMBLE_FORMAT = 'digitscan-digit-ensemble';

/**
 * `ensemble.json` of a digit model folder whose networks vote: each member (a subfolder holding a
 * digit model) reads every crop and their class probabilities are averaged.
 *
 * @example
 * { "format": "digitscan-digit-ensemble", "members": ["a", "b"], "metrics": { "mnistTestAccuracy": 0.9975 } }
 *
 * With `unsure`, more networks read only the crops the members are unsure of (cheap when most crops
 * are read surely):
 * { "format": "digitscan-digit-ensemble", "members": ["a", "b"], "unsure": { "below": 0.99, "members": ["c", "d"] } }
 */
export interface DigitEnsembleSpec {
  format: typeof DIGIT_ENSEMBLE_FORMAT;
  /** Member folders, relative to the ensemble's folder; all with the same classes. */
  members: string[];
  /**
   * More member folders that read a crop only when the averaged top probability of `members` is
   * under `below` (0-1); that crop's probabilities are then the mean over all of them.
   */
  unsure?: { below: number; members: string[] };
  /**
   * A weighing of one member against the others page by page, by how far apart they read the page.
   * Networks trained on different handwriting disagree on a page written unlike the one's: the
   * shipped model's `a` learned MNIST alone and `b` MNIST and real check writers' digits; they read
   * MNIST's handwriting alike and disagree on a tenth of the real checks' digits, which `b` reads
   * far better. For each page, the mean total-variation distance between the member's probabilities
   * and the others' mean, over the first batch of the page's crops (its digits as contours cut them),
   * sets the member's weight for the whole page: its plain share up to `from`, `weight` from `to` on,
   * linear between. Only page readers (`Classifier.forPage`, which the scan makes for every page)
   * weigh; the classifier itself takes the plain mean (`digitscan classify`, `evaluate`, the MNIST
   * figures). Not with `unsure`.
   *
   * @example
   * { "member": "a", "from": 0.02, "to": 0.08, "weight": 0.1 }
   */
  gate?: EnsembleGate;
  /** Calibration temperature applied to the averaged probabilities (1 = none). */
  temperature?: number;
  /** How the ensemble was made and what it measured (free-form, kept as the metadata's). */
  training?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  calibration?: Record<string, unknown>;
}

/** The digit ensemble spec of a folder, or null when the folder holds no `ensemble.json` of that format. */
export function readDigitEnsemble(dir: string): DigitEnsembleSpec | null {
  const p = join(dir, 'ensemble.json');
  if (!existsSync(p)) return null;
  let spec: DigitEnsembleSpec;
  try {
    spec = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new ModelError(`${p}: corrupt ensemble: not valid JSON (${(e as Error).message})`);
  }
  if (spec?.format !== DIGIT_ENSEMBLE_FORMAT) return null;
  if (!Array.isArray(spec.members) || spec.members.length === 0 || !spec.members.every((m) => typeof m === 'string')) {
    throw new ModelError(`${p}: corrupt digit ensemble: "members" must list one or more model folders`);
  }
  const u = spec.unsure;
  if (u !== undefined) {
    if (typeof u !== 'object' || u === null || typeof u.below !== 'number' || !(u.below > 0 && u.below <= 1)) {
      throw new ModelError(`${p}: corrupt digit ensemble: "unsure.below" must be a probability in (0, 1]`);
    }
    if (!Array.isArray(u.members) || u.members.length === 0 || !u.members.every((m) => typeof m === 'string')) {
      throw new ModelError(`${p}: corrupt digit ensemble: "unsure.members" must list one or more model folders`);
    }
  }
  if (spec.gate !== undefined) {
    const why = gateProblem(spec.gate, spec.members);
    if (why) throw new ModelError(`${p}: corrupt digit ensemble: ${why}`);
    if (u !== undefined) throw new ModelError(`${p}: corrupt digit ensemble: a "gate" cannot be combined with "unsure" readers`);
  }
  return spec;
}

/** What is wrong with a gate for an ensemble of `members`, or null when nothing is. */
export function gateProblem(g: EnsembleGate, members: string[]): string | null {
  if (typeof g !== 'object' || g === null) return '"gate" must be an object';
  if (typeof g.member !== 'string' || members.filter((m) => m === g.member).length !== 1 || members.length < 2) {
    return `"gate.member" must name one of the members exactly once, beside others (${JSON.stringify(g.member)} in ${members.join(', ')})`;
  }
  if (typeof g.from !== 'number' || typeof g.to !== 'number' || !(g.from >= 0 && g.from < g.to && g.to <= 1)) return '"gate.from" and "gate.to" must be distances with 0 <= from < to <= 1';
  if (typeof g.weight !== 'number' || !(g.weight >= 0 && g.weight <= 1)) return '"gate.weight" must be a weight in [0, 1]';
  return null;
}

/** A digit model folder loaded: one network, or an ensemble's members. */
export interface LoadedDigitModel {
  /** The networks whose probabilities are averaged (one for a plain model folder). */
  networks: tfl.LayersModel[];
  /** An ensemble's networks for unsure crops (see {@link DigitEnsembleSpec.unsure}). */
  unsure?: { below: number; networks: tfl.LayersModel[] };
  /** An ensemble's page gate (see {@link DigitEnsembleSpec.gate}), its member as an index into `networks`. */
  gate?: DigitGate;
  /** The model's metadata; for an ensemble, its first member's, with the ensemble's temperature and metrics. */
  metadata: ModelMetadata;
  dir: string;
}

/**
 * Loads a digit model folder: a plain model (`model.json`) or a digit ensemble (`ensemble.json`,
 * see {@link DigitEnsembleSpec}). Errors name the path and what is wrong.
 */
export async function loadDigitModel(path: string = defaultModelDir()): Promise<LoadedDigitModel> {
  const spec = path.endsWith('.json') ? null : readDigitEnsemble(path);
  if (!spec) {
    const { model, metadata, dir } = await loadModel(path);
    return { networks: [model], metadata, dir };
  }
  // A folder listed more than once (a member that counts twice in the vote) is loaded once.
  const loaded = new Map<string, Promise<LoadedModel>>();
  const load = (m: string) => {
    if (!loaded.has(m)) loaded.set(m, loadModel(join(path, m)));
    return loaded.get(m)!;
  };
  const members: LoadedModel[] = [];
  for (const m of spec.members) members.push(await load(m));
  const extra: LoadedModel[] = [];
  for (const m of spec.unsure?.members ?? []) extra.push(await load(m));
  const classes = members[0].metadata.classes.join(',');
  const odd = [...members, ...extra].find((m) => m.metadata.classes.join(',') !== classes);
  if (odd) throw new ModelError(`${join(path, 'ensemble.json')}: members disagree on classes (${odd.dir}: ${odd.metadata.classes.join(',')}, not ${classes})`);
  const first = members[0].metadata;
  const metadata: ModelMetadata = {
    ...first,
    arch: members.map((m) => m.metadata.arch).join(' + '),
    temperature: spec.temperature,
    training: spec.training ?? first.training,
    metrics: spec.metrics ?? {},
    members: spec.members,
    ...(spec.unsure ? { unsure: { below: spec.unsure.below, members: spec.unsure.members } } : {}),
    ...(spec.gate ? { gate: spec.gate } : {}),
  };
  const unsure = spec.unsure ? { below: spec.unsure.below, networks: extra.map((m) => m.model) } : undefined;
  const g = spec.gate;
  const gate = g ? { network: spec.members.indexOf(g.member), from: g.from, to: g.to, weight: g.weight } : undefined;
  return { networks: members.map((m) => m.model), ...(unsure ? { unsure } : {}), ...(gate ? { gate } : {}), metadata, dir: resolve(path) };
}
