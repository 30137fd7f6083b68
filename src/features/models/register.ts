import type { ExtensionContextHolder } from '../common/context';

// Placeholder until the models feature lands; its owner replaces this file.
export function registerModelFeatures(_holder: ExtensionContextHolder): void {}
