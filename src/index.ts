/**
 * digitscan: read handwritten digits off scanned documents.
 *
 * Stages are importable on their own: io (decoding), segment (normalization), classify (models,
 * training, evaluation).
 */
export type { GrayImage, BinaryImage, Box, DigitCrop } from './types';
export { decodeImage, decodePage, imagePageCount, InputError, DEFAULT_PIXEL_LIMIT } from './io/image';
export type { DecodeOptions, DecodedPage } from './io/image';
export { expandInputs } from './io/inputs';
export { normalizeDigit, otsuThreshold, MNIST_SIZE, MNIST_FIT } from './segment/normalize';
export type { NormalizeOptions } from './segment/normalize';
export { isolateDigit } from './segment/isolate';
export { loadOpenCV } from './preprocess/opencv';
export type { CV } from './preprocess/opencv';
export type { IsolateOptions } from './segment/isolate';
export { Classifier, applyTemperature } from './classify/classifier';
export type { Prediction, ClassifierOptions } from './classify/classifier';
export { useBackend, BACKENDS } from './classify/backend';
export { nativeStatus } from './classify/kernels/native';
export type { BackendName } from './classify/backend';
export { PRESETS, ARCH_NAMES, getPreset, learningRateAt, countParams } from './classify/zoo';
export type { Preset, Recipe, Schedule } from './classify/zoo';
export { train, AUGMENTS } from './classify/train';
export type { TrainOptions, TrainResult, EpochLog, TrainProgress } from './classify/train';
export { evaluate, loadEvalData } from './classify/evaluate';
export type { Evaluation } from './classify/evaluate';
export { computeMetrics } from './classify/metrics';
export type { Metrics, ClassMetrics } from './classify/metrics';
export { loadModel, saveModel, defaultModelDir, ModelError } from './classify/model-io';
export type { ModelMetadata, LoadedModel } from './classify/model-io';
export { loadMnist, loadLabeledDigits } from './classify/data/dataset';
export type { DigitDataset } from './classify/data/dataset';
export { parseIdx, readIdx, IdxError } from './classify/data/idx';
export { augmentDigit, SCAN_AUGMENT, PAPER_004_AUGMENT } from './classify/data/augment';
export type { AugmentSpec } from './classify/data/augment';
export { writeEvaluationReport } from './report/evaluation';
