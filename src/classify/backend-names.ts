/** The TF.js backends `--backend` accepts (apart from backend.ts so that naming them loads no TF.js). */

/** A backend name accepted by `--backend`. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow';
export const BACKENDS: BackendName[] = ['wasm', 'cpu', 'tensorflow'];
