/**
 * Shows the effective target device while a recipe file is active; a click opens the target picker.
 * The effective target is the lint's (a directive comment in the file wins over the setting).
 */
import * as vscode from 'vscode';
import { DEVICE_PROFILES } from '../../core/devices/profiles';
import { targetDevice } from '../common/config';
import { log } from '../common/log';
import { RecipeCommand } from './commands';
import type { RecipeLinter } from './linter';

export class TargetStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('quantDrift.target', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly linter: RecipeLinter) {
    this.item.name = 'Quant Drift Target Device';
    this.item.command = RecipeCommand.SelectTarget;
    this.subscriptions = [
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      linter.onDidLint((document) => {
        if (document === vscode.window.activeTextEditor?.document) this.update();
      }),
    ];
    this.update();
  }

  update(): void {
    try {
      const document = vscode.window.activeTextEditor?.document;
      if (!document || !this.linter.inScope(document)) {
        this.item.hide();
        return;
      }
      const setting = targetDevice(document.uri);
      const effective = this.linter.resultFor(document)?.target ?? setting;
      const fromFile = effective !== setting;
      const label = DEVICE_PROFILES[effective].label;
      this.item.text = `$(chip) ${DEVICE_PROFILES[effective].shortLabel}`;
      this.item.tooltip = fromFile
        ? `Recipes in this file are checked for ${label} (set by a quant-drift: target=${effective} comment, which overrides the setting). Click to change the setting.`
        : `Recipes are checked for ${label} (quantDrift.targetDevice). Click to choose another target device.`;
      this.item.show();
    } catch (error) {
      log().error('status bar update failed', error);
      this.item.hide();
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
