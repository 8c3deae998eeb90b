import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';

let ready: Promise<typeof TF> | undefined;

/**
 * tfjs on its WebAssembly backend (tfjs-node would download libtensorflow at install). The .wasm
 * files are loaded from the installed package, never from a CDN. Resolved from the working
 * directory (the project root), as tslab cannot load modules that use `import.meta`. Loaded on
 * first use, so importing lib/recommend (or anything that imports it) does not load TensorFlow.js.
 */
export function tfjs(): Promise<typeof TF> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(join(process.cwd(), 'package.json'));
    setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
    await tf.ready();
    return tf;
  })();
  return ready;
}
