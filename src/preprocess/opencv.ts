/** Loading OpenCV.js (4.12, WebAssembly) once per process. */
// The package's typings describe the module object; its runtime needs onRuntimeInitialized first.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CV = any;

// The emscripten module is a thenable: resolving a Promise with it would recurse into its own
// then(). It travels wrapped in a plain object.
let loading: Promise<{ cv: CV }> | null = null;

/** Resolves with the initialized OpenCV module (about 0.2-0.6 s the first time). */
export async function loadOpenCV(): Promise<CV> {
  loading ??= new Promise((resolve, reject) => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const cv = require('@techstark/opencv-js');
      const ready = () => {
        // Once initialized, its then() has no use left; without it the module is a plain value.
        delete cv.then;
        resolve({ cv });
      };
      if (cv.Mat) ready();
      else cv.onRuntimeInitialized = ready;
    } catch (e) {
      reject(e);
    }
  });
  return (await loading).cv;
}
