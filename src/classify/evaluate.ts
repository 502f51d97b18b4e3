/** Evaluating a model on a labeled digit set: metrics plus what a report needs. */
import { Classifier } from './classifier';
import { DigitDataset, isIdxSet, loadIdxSet, loadLabeledDigits, loadMnist } from './data/dataset';
import { argmaxRow, computeMetrics, digitsOnly, Metrics } from './metrics';

/** What {@link evaluate} returns. */
export interface Evaluation {
  data: string;
  metrics: Metrics;
  /** The dataset evaluated (for reports: misclassified images). */
  dataset: DigitDataset;
  /** Predicted class per image. */
  predicted: Uint8Array;
  /** Confidence of the prediction per image. */
  confidence: Float32Array;
  seconds: number;
}

/** Loads an evaluation set: `mnist-test` (default), `mnist-train`, or a user folder / TSV. */
export async function loadEvalData(data: string, onError?: (p: string, e: Error) => void): Promise<DigitDataset> {
  if (data === 'mnist-test' || data === 'mnist') return loadMnist('test');
  if (data === 'mnist-train') return loadMnist('train');
  if (isIdxSet(data)) return loadIdxSet(data);
  return loadLabeledDigits(data, onError);
}

/**
 * Runs `clf` on a dataset and computes accuracy, per-class precision/recall/F1, confusion matrix
 * and the most confused pairs.
 */
export async function evaluate(clf: Classifier, dataset: DigitDataset, data = dataset.source): Promise<Evaluation> {
  const t0 = performance.now();
  const px = new Float32Array(dataset.count * 784);
  for (let i = 0; i < px.length; i++) px[i] = dataset.images[i] / 255;
  // Digit-only sets are scored on the digits (a reject class, if the model has one, is not an answer).
  const withReject = dataset.labels.some((l) => l >= 10);
  const k = withReject ? clf.numClasses : 10;
  const probs = withReject ? await clf.predict(px, dataset.count) : digitsOnly(await clf.predict(px, dataset.count), clf.numClasses);
  const predicted = new Uint8Array(dataset.count);
  const confidence = new Float32Array(dataset.count);
  for (let i = 0; i < dataset.count; i++) {
    predicted[i] = argmaxRow(probs, i, k);
    confidence[i] = probs[i * k + predicted[i]];
  }
  const metrics = computeMetrics(dataset.labels, probs, k);
  return { data, metrics, dataset, predicted, confidence, seconds: (performance.now() - t0) / 1000 };
}
