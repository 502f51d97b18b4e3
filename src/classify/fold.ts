/**
 * Inference-time folding: conv/dense -> batch norm (-> ReLU) becomes one conv/dense with bias and
 * fused ReLU (one XNNPACK pass instead of three full-size passes), and dropout is dropped. Same
 * outputs as the original model up to float rounding (test/fold.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type AnyLayer = tfl.layers.Layer & { constructor: new (cfg: object) => tfl.layers.Layer };
type Config = Record<string, unknown>;

function cloneLayer(layer: tfl.layers.Layer, patch: Config = {}): tfl.layers.Layer {
  const cfg: Config = { ...(layer.getConfig() as Config), ...patch };
  delete cfg.name;
  return new (layer as AnyLayer).constructor(cfg);
}

/**
 * Returns an inference-only copy of a Sequential model with batch norms folded, or the model itself
 * when there is nothing to fold or it is not Sequential.
 */
export function foldForInference(model: tfl.LayersModel): tfl.LayersModel {
  if (!(model instanceof tfl.Sequential)) return model;
  const layers = model.layers;
  const hasBn = layers.some((l) => l.getClassName() === 'BatchNormalization');
  if (!hasBn) return model;
  const out = tfl.sequential();
  const weights: tf.Tensor[][] = [];
  let first = true;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const cls = l.getClassName();
    const firstPatch = first ? { batchInputShape: model.inputs[0].shape } : {};
    if (cls === 'Dropout') continue;
    const next = layers[i + 1];
    if ((cls === 'Conv2D' || cls === 'Dense') && next?.getClassName() === 'BatchNormalization') {
      const cfg = l.getConfig() as Config;
      const bnCfg = next.getConfig() as Config;
      const bnAxis = bnCfg.axis as number;
      if ((cfg.activation as string) !== 'linear' || (bnAxis !== -1 && bnAxis !== (next.inputSpec?.[0]?.ndim ?? 0) - 1 && bnAxis !== 3 && bnAxis !== 1)) {
        // Not the pattern this folds (activation before BN, or a non-channel axis): keep as is.
        out.add(cloneLayer(l, firstPatch));
        weights.push(l.getWeights());
        first = false;
        continue;
      }
      const after = layers[i + 2];
      const fuseRelu = after?.getClassName() === 'Activation' && (after.getConfig() as Config).activation === 'relu';
      const [w, b] = l.getWeights();
      const bw = next.getWeights(); // gamma?, beta?, movingMean, movingVariance (scale/center flags)
      const scale = bnCfg.scale !== false;
      const center = bnCfg.center !== false;
      let k = 0;
      const gamma = scale ? bw[k++] : null;
      const beta = center ? bw[k++] : null;
      const mean = bw[k++];
      const variance = bw[k++];
      const [fw, fb] = tf.tidy(() => {
        let s = tf.rsqrt(tf.add(variance, bnCfg.epsilon as number));
        if (gamma) s = tf.mul(s, gamma);
        const folded = tf.mul(w, s); // broadcasts over the last (output-channel) axis
        let bias = tf.mul(tf.sub(b ?? tf.zerosLike(mean), mean), s);
        if (beta) bias = tf.add(bias, beta);
        return [folded, bias];
      });
      out.add(cloneLayer(l, { ...firstPatch, useBias: true, activation: fuseRelu ? 'relu' : 'linear' }));
      weights.push([fw, fb]);
      i += fuseRelu ? 2 : 1;
      first = false;
      continue;
    }
    out.add(cloneLayer(l, firstPatch));
    weights.push(l.getWeights());
    first = false;
  }
  out.setWeights(weights.flat());
  return out;
}

/**
 * {@link foldForInference} of each network, each distinct network folded once: a network listed
 * twice (an ensemble member that counts twice in the vote) stays one network, read once.
 */
export function foldAllForInference(networks: tfl.LayersModel[]): tfl.LayersModel[] {
  const folded = new Map<tfl.LayersModel, tfl.LayersModel>();
  return networks.map((n) => {
    if (!folded.has(n)) folded.set(n, foldForInference(n));
    return folded.get(n)!;
  });
}
