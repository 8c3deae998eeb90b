import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | undefined;

/**
 * tfjs on its WebAssembly backend (tfjs-node would download libtensorflow at install). The .wasm
 * files are loaded from the installed package, never from a CDN. Resolved from the working
 * directory (the project root), as tslab cannot load modules that use `import.meta`.
 */
export function tfjs(): Promise<typeof tf> {
  ready ??= (async () => {
    const require = createRequire(join(process.cwd(), 'package.json'));
    setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
    await tf.ready();
    return tf;
  })();
  return ready;
}
