/**
 * The one rule engine (src/core/recipe) applied to model recipes, so the editor, the CLI and the model tree
 * can never disagree. Injectable for tests through InspectOptions.evaluate.
 */
import type { DeviceProfileId } from '../devices/profiles';
import { evaluateRecipe } from '../recipe/index';
import type { Finding, Recipe } from '../recipe/types';

export type EvaluateRecipe = (recipe: Recipe, target: DeviceProfileId) => Finding[];

export const evaluateModelRecipe: EvaluateRecipe = (recipe, target) => evaluateRecipe(recipe, target);
