import * as vscode from 'vscode';
import { DEFAULT_TARGET, isDeviceProfileId, type DeviceProfileId } from '../../core/devices/profiles';

/** Setting ids, never hand-typed elsewhere. Each has a markdownDescription in package.json. */
export const enum Setting {
  TargetDevice = 'quantDrift.targetDevice',
  LintEnable = 'quantDrift.lint.enable',
  LintMaxFileSizeMB = 'quantDrift.lint.maxFileSizeMB',
  ModelRoots = 'quantDrift.modelRoots',
  ScanHuggingFaceCache = 'quantDrift.scanHuggingFaceCache',
  ExecutionProvider = 'quantDrift.executionProvider',
  Threads = 'quantDrift.threads',
  MaxNewTokens = 'quantDrift.compare.maxNewTokens',
  JsonMaxNewTokens = 'quantDrift.compare.jsonMaxNewTokens',
  PplRatioWarn = 'quantDrift.compare.pplRatioWarn',
  PplRatioFail = 'quantDrift.compare.pplRatioFail',
  MeanKldWarn = 'quantDrift.compare.meanKldWarn',
  TaskDeltaWarnPp = 'quantDrift.compare.taskDeltaWarnPp',
  TaskDeltaFailPp = 'quantDrift.compare.taskDeltaFailPp',
  ChoicesFile = 'quantDrift.compare.choicesFile',
  Samples = 'quantDrift.compare.samples',
  SampleTemperature = 'quantDrift.compare.sampleTemperature',
  SampleTopP = 'quantDrift.compare.sampleTopP',
  QuantizeBlockSize = 'quantDrift.quantize.blockSize',
  QuantizeSymmetric = 'quantDrift.quantize.symmetric',
  QuantizeAccuracyLevel = 'quantDrift.quantize.accuracyLevel',
  HubEndpoint = 'quantDrift.hub.endpoint',
}

function section(resource?: vscode.Uri): vscode.WorkspaceConfiguration {
  // Read per resource (vscode-eslint): a folder may target another device than its neighbour.
  return vscode.workspace.getConfiguration(undefined, resource);
}

export function targetDevice(resource?: vscode.Uri): DeviceProfileId {
  const value = section(resource).get<string>(Setting.TargetDevice);
  return isDeviceProfileId(value) ? value : DEFAULT_TARGET;
}

export function get<T>(setting: Setting, fallback: T, resource?: vscode.Uri): T {
  return section(resource).get<T>(setting) ?? fallback;
}

/**
 * A setting from the user's own settings only (user, or remote machine), never from the workspace: for values a
 * cloned repository must not choose (the Hub endpoint receives the token). package.json gives such settings
 * machine scope too; this holds even if a VS Code version applied a workspace value anyway.
 */
export function userValue<T>(setting: Setting): T | undefined {
  return vscode.workspace.getConfiguration().inspect<T>(setting)?.globalValue;
}
