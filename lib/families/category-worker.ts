/** Worker thread for bulk category scoring: opens a saved version once, answers each batch with its top k. */
import { parentPort, workerData } from 'node:worker_threads';

import { type CategoryInput, topClasses } from '../classify/index';
import { openCategoryModel } from './category';

const { dir, modelPath, k } = workerData as { dir: string; modelPath: string; k: number };
const model = openCategoryModel(dir, modelPath);

parentPort!.on('message', (products: CategoryInput[]) => {
  const top = topClasses(model.probabilities(products), model.classes.length, k);
  parentPort!.postMessage(top, [top.classes.buffer, top.probabilities.buffer]);
});
