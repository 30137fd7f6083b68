export {
  findTwins,
  isRunnableFormat,
  modelNames,
  repoStem,
  type FindTwinsOptions,
  type PairCandidate,
  type Relation,
  type Role,
  type TwinSearch,
} from './find';
export { hfCacheDirs, listCachedRepos, repoIdOfPath } from './hf-cache';
export {
  describeFacts,
  formatOfListing,
  looksLikeModelListing,
  quickInspect,
  type FolderInspector,
  type FolderPrecision,
  type ModelFormat,
  type PrecisionClass,
} from './inspect';
export { nameStem, precisionFromName, stemMatch } from './names';
export { folderPrecisionOf, inspectorFrom, type InspectedModel } from './model-info';
export { pairRefusalMessage, runnablePairMessage } from './runnable';
export { genaiCousins, variantFiles, variantPairs, type VariantPair } from './variants';
