/** Model inventory: discovery, header-only inspection, precision and device verdicts (pure, no vscode). */
export type { DeviceVerdict, ModelFiles, ModelFormat, ModelInfo, Verdict, WeightsInfo } from '../../protocol/models';
export { configErrors, inspectModelFolder, isModelFolder, hubCacheInfo, type InspectOptions } from './inspect-folder';
export {
  discoverModelFolders,
  discoverModels,
  huggingFaceHubCache,
  expandHome,
  type DiscoverOptions,
  type DiscoverResult,
} from './discover';
export { describePrecision } from './precision';
export { detectHostDevices, type HostDevices, type HostProbe } from './host';
export { recipeFromModel } from './recipe';
export {
  scanInventory,
  InventoryCache,
  type InventoryGroup,
  type InventoryRoot,
  type InventoryOptions,
} from './inventory';
export { deviceVerdicts, verdictWords } from './verdicts';
