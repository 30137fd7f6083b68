/**
 * The demo workspace, written where the user asks ("Create Demo Workspace"): the shipped demo/ folder (FP16 model,
 * held-out prompts, export scripts with NPU mistakes) plus the two INT4 twins scripts/demo.mjs makes, so the
 * walkthrough works from a Marketplace install as it does from the repository.
 *
 * Never loses data: the new folder gets a name nothing holds yet (`quant-drift-demo`, then `-2`, `-3`...), reserved
 * with an exclusive mkdir; everything is built in a hidden staging folder beside it and moved in by rename, so a
 * cancelled or failed run leaves no half-written demo (only what this call created is removed).
 */
import { copyFile, lstat, mkdir, mkdtemp, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { quantizeModelFolder, type QuantizeOptions, type QuantizeResult } from '../quantize';

export const DEMO_FOLDER_NAME = 'quant-drift-demo';
/** Relative paths that make a folder the demo workspace (the walkthrough's steps act on them). */
export const DEMO_BASE_MODEL = 'models/fp16';
export const DEMO_PROMPTS = 'prompts/debian-heldout.jsonl';

export interface DemoTwin {
  readonly name: string;
  readonly label: string;
  readonly symmetric: boolean;
  readonly blockSize: number;
  readonly channelWise: boolean;
}

/**
 * The twins scripts/demo.mjs makes (keep both in step): the Intel-NPU recipe and the asymmetric one NPUs reject.
 * accuracy_level 0 like the demo, so the comparison measures the weights alone.
 */
export const DEMO_TWINS: readonly DemoTwin[] = [
  {
    name: 'int4-sym-g128',
    label: 'INT4 symmetric, group 128',
    symmetric: true,
    blockSize: 128,
    channelWise: false,
  },
  { name: 'int4-asym-cw', label: 'INT4 asymmetric, channel-wise', symmetric: false, blockSize: 128, channelWise: true },
];
export const DEMO_TWIN_FOR_COMPARE = DEMO_TWINS[0].name;

/** Bounds on what is copied: the shipped demo is ~6.5 MB in a few dozen files. */
const MAX_ENTRIES = 500;
const MAX_DEPTH = 6;

export interface CreateDemoOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Injectable for tests; defaults to the built-in quantizer. */
  quantize?: (inDir: string, outDir: string, opts: QuantizeOptions) => Promise<QuantizeResult>;
}

export class DemoWorkspaceError extends Error {}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** A name in `parent` nothing holds yet, created (empty) so no one else takes it. */
async function reserveFolder(parent: string): Promise<string> {
  for (let index = 1; index <= 100; index++) {
    const candidate = join(parent, index === 1 ? DEMO_FOLDER_NAME : `${DEMO_FOLDER_NAME}-${index}`);
    try {
      await mkdir(candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new DemoWorkspaceError(`${parent} already holds 100 ${DEMO_FOLDER_NAME} folders; choose another folder`);
}

/** Copies the demo tree: regular files and folders only (no links), bounded, without twins a demo run left. */
async function copyTree(from: string, to: string, budget: { entries: number }, depth = 0): Promise<void> {
  if (depth > MAX_DEPTH) throw new DemoWorkspaceError(`the demo folder is nested deeper than ${MAX_DEPTH} levels`);
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (--budget.entries < 0) throw new DemoWorkspaceError(`the demo folder holds more than ${MAX_ENTRIES} entries`);
    if (depth === 1 && from.endsWith('models') && entry.name !== 'fp16') continue;
    if (entry.isDirectory()) await copyTree(join(from, entry.name), join(to, entry.name), budget, depth + 1);
    else if (entry.isFile()) await copyFile(join(from, entry.name), join(to, entry.name));
  }
}

/** Whether `folder` is a demo workspace (holds the demo model and its held-out prompts). */
export async function isDemoWorkspace(folder: string): Promise<boolean> {
  return (
    (await exists(join(folder, DEMO_BASE_MODEL, 'model.onnx'))) && (await exists(join(folder, DEMO_PROMPTS)))
  );
}

/**
 * Writes the demo workspace into a new folder under `parent` and returns its path. `source` is the shipped
 * demo/ folder (inside the extension).
 */
export async function createDemoWorkspace(
  source: string,
  parent: string,
  options: CreateDemoOptions = {},
): Promise<string> {
  const base = join(source, DEMO_BASE_MODEL);
  if (!(await exists(join(base, 'model.onnx'))))
    throw new DemoWorkspaceError(`the demo model is missing from this installation (${base})`);
  const parentInfo = await lstat(parent).catch(() => null);
  if (!parentInfo?.isDirectory()) throw new DemoWorkspaceError(`${parent} is not a folder`);
  const quantize = options.quantize ?? quantizeModelFolder;
  const staging = await mkdtemp(join(parent, `.${DEMO_FOLDER_NAME}-`));
  let target: string | undefined;
  try {
    options.onProgress?.('copying the demo model, prompts and scripts');
    await copyTree(source, staging, { entries: MAX_ENTRIES });
    for (const twin of DEMO_TWINS) {
      options.signal?.throwIfAborted();
      options.onProgress?.(`making the ${twin.name} twin (${twin.label})`);
      await quantize(base, join(staging, 'models', twin.name), {
        symmetric: twin.symmetric,
        blockSize: twin.blockSize,
        channelWise: twin.channelWise,
        accuracyLevel: 0,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    options.signal?.throwIfAborted();
    target = await reserveFolder(parent);
    for (const name of await readdir(staging)) await rename(join(staging, name), join(target, name));
    await rmdir(staging);
    return target;
  } catch (error) {
    // Only what this call created: the staging folder, and the reserved folder while it is still empty.
    await rm(staging, { recursive: true, force: true });
    if (target) await rmdir(target).catch(() => undefined);
    throw error;
  }
}
