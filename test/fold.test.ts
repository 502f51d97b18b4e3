import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/classify/backend';
import { foldForInference } from '../src/classify/fold';
import { getPreset } from '../src/classify/zoo';
import { withSeededRandom } from '../src/classify/seeded';

describe('batch-norm folding for inference', () => {
  test.each(['wasm', 'cpu'] as const)('vgg-bn folded gives the same probabilities (%s)', async (backend) => {
    await useBackend(backend);
    const m = withSeededRandom(11, () => getPreset('vgg-bn').build());
    // Non-trivial batch-norm parameters and statistics.
    m.setWeights(m.getWeights().map((w, i) => withSeededRandom(100 + i, () => (w.rank === 1 ? tf.randomUniform(w.shape, 0.5, 1.5) : tf.randomNormal(w.shape, 0, 0.2)))));
    const f = foldForInference(m);
    expect(f.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'Conv2D', 'MaxPooling2D', 'Conv2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    const x = withSeededRandom(5, () => tf.randomUniform([8, 28, 28, 1]));
    const diff = tf.max(tf.abs(tf.sub(m.predict(x) as tf.Tensor, f.predict(x) as tf.Tensor))).dataSync()[0];
    expect(diff).toBeLessThan(1e-4);
  });
  test('a model without batch norm is returned as is', async () => {
    await useBackend('cpu');
    const m = getPreset('compact').build();
    expect(foldForInference(m)).toBe(m);
  });
});
