import type { DeviceProfileId } from '../../devices/profiles';
import type { Finding, Fix, Recipe, RecipeSetting, Severity } from '../types';

/** What every rule family checks one recipe against, and where its findings go. */
export abstract class RuleContext {
  constructor(
    readonly recipe: Recipe,
    readonly target: DeviceProfileId,
    readonly out: Finding[],
  ) {}

  /** Records a finding at the setting (or the whole recipe); a null severity means "not for this target". */
  report(
    rule: string,
    severity: Severity | null,
    message: string,
    setting: RecipeSetting | undefined,
    fixes: Fix[] = [],
  ): void {
    if (!severity) return;
    this.out.push({ rule, severity, message, span: setting?.span ?? this.recipe.span, fixes, target: this.target });
  }
}
