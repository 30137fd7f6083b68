/**
 * Rules for `optimum-cli export openvino` recipes, one file per family so a rule is found by its id:
 * syntax.ts (what argparse and the shell reject), precision.ts (weight format and the options around it),
 * dataAware.ts (options that need data or exclude each other), device.ts (what the target device accepts).
 * Rules read settings, never syntax.
 */
import type { DeviceProfileId } from '../../../devices/profiles';
import type { Finding, Recipe } from '../../types';
import { Command } from './command';
import { conflicts, needsDataset } from './dataAware';
import { asymmetricInt4, implicitPrecision, nf4OnMeteorLake, npuGroupSize, ratioBelowOne } from './device';
import { groupSizeOne, int8Options, needsWeightFormat, taskWithoutPast } from './precision';
import { commentLines, invalidValues, unknownFlags } from './syntax';

export function evaluateCommand(recipe: Recipe, target: DeviceProfileId): Finding[] {
  const out: Finding[] = [];
  const cmd = new Command(recipe, target, out);
  if (recipe.facts?.['help'] === true) return out;
  unknownFlags(cmd);
  invalidValues(cmd);
  needsWeightFormat(cmd);
  conflicts(cmd);
  needsDataset(cmd);
  int8Options(cmd);
  groupSizeOne(cmd);
  commentLines(cmd);
  const format = cmd.get('weightFormat');
  if (format && format.value === 'int4') {
    asymmetricInt4(cmd, format);
    npuGroupSize(cmd, format);
  } else if (format && format.value === 'nf4') {
    npuGroupSize(cmd, format);
  }
  ratioBelowOne(cmd, format);
  nf4OnMeteorLake(cmd);
  implicitPrecision(cmd);
  taskWithoutPast(cmd);
  return out;
}
