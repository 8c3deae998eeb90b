// The public names of lib/registry: what code outside the folder (and its tests) imports.
export { decidePromotion } from './promote';
export {
  clearSkipped,
  listVersions,
  promotionPath,
  readJson,
  readProduction,
  readSkipped,
  registerVersion,
  versionDir,
  writeJsonAtomic,
  writeProduction,
  writeSkipped,
  type PromotionRecord,
} from './registry';
export { openVersion, writeVersionFiles, type ModelVersion } from './version';
