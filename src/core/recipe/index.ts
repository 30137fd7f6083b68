/** Public surface of the recipe core (docs/ARCHITECTURE.md, "Recipe checks"): lint, rules, fixes, hovers, completions. */
export {
  lintText,
  extractRecipes,
  evaluateRecipe,
  directiveTarget,
  fileKind,
  MAX_LINT_CHARS,
  type LintContext,
  type LintResult,
  type Extraction,
} from './lint';
export { applyFixes, preferredFixes } from './fixes';
export { hoverAt, completionsAt, type CoreCompletion } from './assist';
export { RULES, type RuleInfo } from './rules/catalog';
export { FLAGS, flagByName, type FlagInfo } from './flags';
export { extractCommands, type SourceKind } from './commands/extract';
export { namesOlivePass } from './json/olive';
export type * from './types';
