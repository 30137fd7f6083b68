import type { ExtensionContextHolder } from '../common/context';

// Placeholder until the recipe feature lands; its owner replaces this file.
export function registerRecipeFeatures(_holder: ExtensionContextHolder): void {}
