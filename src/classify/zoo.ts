/**
 * The model zoo: one preset per reference paper (../shared/docs/reference-papers.md), each a short
 * declarative builder plus its paper's training recipe as data. Every recipe field can be
 * overridden from the command line.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { AugmentSpec, PAPER_004_AUGMENT } from './data/augment';
import { batchNormalization } from './kernels/batchnorm-train';

/** Learning-rate schedule. */
export type Schedule =
  | { kind: 'constant' }
  /** Linear warm-up from `startLr` to the recipe's `lr` over `warmupEpochs`, then cosine decay to `minLr`. */
  | { kind: 'warmup-cosine'; warmupEpochs: number; startLr: number; minLr: number };

/** How a preset trains by default. */
export interface Recipe {
  optimizer: 'adam';
  lr: number;
  schedule: Schedule;
  batchSize: number;
  epochs: number;
  /** Fraction of the training set held out for validation (the last part, fixed). */
  validationSplit: number;
  /** On-the-fly augmentation, or null for none. */
  augment: AugmentSpec | null;
}

/** A named network and how its paper trains it. */
export interface Preset {
  name: string;
  paper: string;
  /** Test accuracy the paper claims, or null when it states none. */
  claimedAccuracy: number | null;
  description: string;
  /** Builds the network with `classes` outputs (default 10: the digits; 11 adds a reject class). */
  build: (classes?: number) => tfl.Sequential;
  recipe: Recipe;
}

const input = [28, 28, 1];
const constant: Schedule = { kind: 'constant' };

const conv = (filters: number, kernelSize: number, extra: Partial<Parameters<typeof tfl.layers.conv2d>[0]> = {}) =>
  tfl.layers.conv2d({ filters, kernelSize, activation: 'relu', ...extra });
const maxPool = () => tfl.layers.maxPooling2d({ poolSize: 2 });
const dense = (units: number, activation: 'relu' | 'softmax' | 'tanh' = 'relu') => tfl.layers.dense({ units, activation });
const dropout = (rate: number) => tfl.layers.dropout({ rate });

function sequential(layers: tfl.layers.Layer[]): tfl.Sequential {
  const m = tfl.sequential();
  layers.forEach((l) => m.add(l));
  return m;
}

/** conv (no bias) -> batch norm -> ReLU, the block of paper 004. */
function convBnRelu(filters: number, first = false): tfl.layers.Layer[] {
  return [
    tfl.layers.conv2d({ filters, kernelSize: 3, useBias: false, ...(first ? { inputShape: input } : {}) }),
    batchNormalization(),
    tfl.layers.activation({ activation: 'relu' }),
  ];
}

export const PRESETS: Record<string, Preset> = {
  'tf-cnn': {
    name: 'tf-cnn',
    paper: '000: Handwritten Digit Recognition Based on TensorFlow Framework',
    claimedAccuracy: 0.9875,
    description: 'conv32 5x5 -> pool -> conv64 5x5 -> pool -> dense 1024, dropout 0.5 -> softmax (SAME padding, as TensorFlow\'s tutorial)',
    build: (classes = 10) =>
      sequential([
        conv(32, 5, { padding: 'same', inputShape: input }),
        maxPool(),
        conv(64, 5, { padding: 'same' }),
        maxPool(),
        tfl.layers.flatten(),
        dense(1024),
        dropout(0.5),
        dense(classes, 'softmax'),
      ]),
    recipe: { optimizer: 'adam', lr: 1e-3, schedule: constant, batchSize: 50, epochs: 1, validationSplit: 1 / 12, augment: null },
  },
  lenet5: {
    name: 'lenet5',
    paper: '001: CNN system with an OpenCV front end (LeNet-5)',
    claimedAccuracy: null,
    description: 'LeNet-5 with the paper\'s 6 then 12 maps: C1 conv6 5x5 (same) -> S2 avg pool -> C3 conv12 5x5 -> S4 avg pool -> 120 -> 84 -> softmax',
    build: (classes = 10) =>
      sequential([
        tfl.layers.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh', inputShape: input }),
        tfl.layers.averagePooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 12, kernelSize: 5, activation: 'tanh' }),
        tfl.layers.averagePooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        dense(120, 'tanh'),
        dense(84, 'tanh'),
        dense(classes, 'softmax'),
      ]),
    recipe: { optimizer: 'adam', lr: 1e-3, schedule: constant, batchSize: 64, epochs: 10, validationSplit: 1 / 12, augment: null },
  },
  compact: {
    name: 'compact',
    paper: '002: Handwritten Digits Recognition Using Convolutional Neural Network',
    claimedAccuracy: 0.99,
    description: 'conv8 5x5 (24,24,8) -> pool (12,12,8) -> conv16 5x5 (8,8,16) -> pool (4,4,16) -> flatten 256 -> dense 128 -> dropout -> softmax: 37,610 parameters',
    build: (classes = 10) =>
      sequential([
        conv(8, 5, { inputShape: input }),
        maxPool(),
        conv(16, 5),
        maxPool(),
        tfl.layers.flatten(),
        dense(128),
        dropout(0.5),
        dense(classes, 'softmax'),
      ]),
    recipe: { optimizer: 'adam', lr: 1e-3, schedule: constant, batchSize: 32, epochs: 10, validationSplit: 1 / 12, augment: null },
  },
  'edu-cnn': {
    name: 'edu-cnn',
    paper: '003: Handwritten Digit Recognition',
    claimedAccuracy: 0.985,
    description: 'conv32 3x3 -> pool -> conv64 3x3 -> pool -> flatten -> dense 128, dropout 0.25 -> softmax',
    build: (classes = 10) =>
      sequential([
        conv(32, 3, { inputShape: input }),
        maxPool(),
        conv(64, 3),
        maxPool(),
        tfl.layers.flatten(),
        dense(128),
        dropout(0.25),
        dense(classes, 'softmax'),
      ]),
    recipe: { optimizer: 'adam', lr: 1e-3, schedule: constant, batchSize: 32, epochs: 15, validationSplit: 0.2, augment: null },
  },
  'vgg-bn': {
    name: 'vgg-bn',
    paper: '004: Recognition of Handwritten Digit using CNN in Python',
    claimedAccuracy: 0.9972,
    description: '2x(conv32 3x3 no bias -> BN -> ReLU) -> pool, dropout 0.25 -> same with 64 -> dense 128 no bias -> BN -> ReLU -> dropout 0.5 -> softmax',
    build: (classes = 10) =>
      sequential([
        ...convBnRelu(32, true),
        ...convBnRelu(32),
        maxPool(),
        dropout(0.25),
        ...convBnRelu(64),
        ...convBnRelu(64),
        maxPool(),
        dropout(0.25),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 128, useBias: false }),
        batchNormalization(),
        tfl.layers.activation({ activation: 'relu' }),
        dropout(0.5),
        dense(classes, 'softmax'),
      ]),
    recipe: {
      optimizer: 'adam',
      lr: 1e-3,
      schedule: { kind: 'warmup-cosine', warmupEpochs: 5, startLr: 1e-5, minLr: 1e-5 },
      batchSize: 128,
      epochs: 30,
      validationSplit: 1 / 12,
      augment: PAPER_004_AUGMENT,
    },
  },
};

/**
 * Not from the five papers: the project's own deeper network (after a well-known Kaggle MNIST
 * design): strided 5x5 convolutions instead of pooling, a 4x4 convolution down to 1x1, batch norm
 * after every convolution; ~1.3x `vgg-bn`'s inference work. Trained with paper 004's recipe. Not in
 * the shipped model (docs/bench-history.md, "Session 29").
 */
PRESETS['deep-bn'] = {
  name: 'deep-bn',
  paper: "none: the project's own (strided convolutions instead of pooling)",
  claimedAccuracy: null,
  description: '2x conv32 3x3 -> conv32 5x5 stride 2 -> dropout 0.4 -> 2x conv64 3x3 -> conv64 5x5 stride 2 -> dropout 0.4 -> conv128 4x4 -> dropout 0.4 -> softmax; each conv no bias -> BN -> ReLU',
  build: (classes = 10) => {
    const block = (filters: number, kernelSize: number, strides = 1, first = false): tfl.layers.Layer[] => [
      tfl.layers.conv2d({ filters, kernelSize, strides, padding: strides > 1 ? 'same' : 'valid', useBias: false, ...(first ? { inputShape: input } : {}) }),
      batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
    ];
    return sequential([
      ...block(32, 3, 1, true), ...block(32, 3), ...block(32, 5, 2), dropout(0.4),
      ...block(64, 3), ...block(64, 3), ...block(64, 5, 2), dropout(0.4),
      ...block(128, 4), tfl.layers.flatten(), dropout(0.4),
      dense(classes, 'softmax'),
    ]);
  },
  recipe: { ...PRESETS['vgg-bn'].recipe },
};

/** Names of the presets, for `--arch`. */
export const ARCH_NAMES = Object.keys(PRESETS);

/** Looks up a preset, with an error that lists the valid names. */
export function getPreset(name: string): Preset {
  const p = PRESETS[name];
  if (!p) throw new Error(`unknown --arch "${name}": choose one of ${ARCH_NAMES.join(', ')}`);
  return p;
}

/** Learning rate at a (fractional) epoch under a recipe. */
export function learningRateAt(recipe: Pick<Recipe, 'lr' | 'schedule' | 'epochs'>, epoch: number): number {
  const s = recipe.schedule;
  if (s.kind === 'constant') return recipe.lr;
  if (epoch < s.warmupEpochs) return s.startLr + (recipe.lr - s.startLr) * (epoch / s.warmupEpochs);
  const span = Math.max(1e-9, recipe.epochs - s.warmupEpochs);
  const t = Math.min(1, (epoch - s.warmupEpochs) / span);
  return s.minLr + 0.5 * (recipe.lr - s.minLr) * (1 + Math.cos(Math.PI * t));
}

/** Total trainable + non-trainable parameter count. */
export function countParams(model: tfl.LayersModel): number {
  return model.weights.reduce((n, w) => n + (w.shape as Array<number | null>).reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

