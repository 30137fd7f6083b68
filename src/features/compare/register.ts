import type { ExtensionContextHolder } from '../common/context';

// Placeholder until the compare feature lands; its owner replaces this file.
export function registerCompareFeatures(_holder: ExtensionContextHolder): void {}
