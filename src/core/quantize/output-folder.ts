/**
 * Where a twin is written, so that no run can damage the model it reads or a folder it did not write:
 * - OUT is resolved the way the kernel resolves it (symbolic links and `..` included) and compared by device and
 *   inode with the input folder and each of its parents: OUT may be neither the input nor a folder holding it,
 *   whatever the spelling (a link, `..`, another letter case on a case-insensitive file system).
 * - OUT must be missing, an empty folder, or a twin this quantizer wrote (its quantization_recipe.json names the
 *   tool and the files it wrote); anything else is refused before any work starts.
 * - Everything is written into a fresh hidden folder beside OUT, renamed into place when complete: a crash or
 *   kill -9 leaves OUT as it was (plus that hidden `.OUT.*.quant-drift-partial` folder). A replaced twin is moved
 *   aside, then only the files its recipe lists are removed; the aside folder is kept if anything else is in it.
 */
import { promises as fs, type Stats } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { lstatOrNull, temporarySibling } from '../fs/atomic-write';
import { QuantizeError } from './quantize-onnx';

export const RECIPE_FILE = 'quantization_recipe.json';
const MAX_RECIPE_BYTES = 1024 * 1024;
export const STAGING_TAG = 'quant-drift-partial';
const REPLACED_TAG = 'quant-drift-replaced';

/** What is at OUT now: nothing, an empty folder, or a twin of ours (the names it may hold). */
export type OutputState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'twin'; readonly files: readonly string[] };

export interface OutputTarget {
  /** OUT as the kernel resolves it: the path the finished twin is renamed to. */
  readonly path: string;
  readonly state: OutputState;
}

const sameFile = (a: Stats, b: Stats): boolean => a.dev === b.dev && a.ino === b.ino;

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : `${parent}${sep}`);
}

/** The folder and each parent up to the root, as real paths. */
function selfAndParents(path: string): string[] {
  const chain = [path];
  for (let parent = dirname(path); parent !== chain[chain.length - 1]; parent = dirname(parent)) chain.push(parent);
  return chain;
}

/**
 * OUT's real path. An existing OUT is resolved whole (a link to a folder is written at the link's target); a new
 * OUT is its parent's real path plus its name, the parent created if missing.
 */
async function resolveOutput(outDir: string, createParent: boolean): Promise<{ path: string; stats: Stats | null }> {
  if (await lstatOrNull(outDir)) {
    const real = await fs.realpath(outDir);
    const stats = await fs.stat(real);
    if (!stats.isDirectory()) throw new QuantizeError(`${outDir} exists and is not a folder`);
    return { path: real, stats };
  }
  const parent = dirname(outDir);
  if (createParent) await fs.mkdir(parent, { recursive: true });
  const realParent = await fs.realpath(parent).catch(() => parent);
  return { path: join(realParent, basename(outDir)), stats: null };
}

/** Refuses an OUT that is the input folder or one of its parents, by device and inode (see the module comment). */
async function assertNotInput(outDir: string, out: { path: string; stats: Stats | null }, sourceDir: string) {
  if (!out.stats) return;
  const source = await fs.realpath(sourceDir);
  for (const folder of selfAndParents(source)) {
    const stats = await fs.stat(folder);
    if (sameFile(stats, out.stats)) {
      throw new QuantizeError(
        folder === source
          ? `${outDir} is the input folder ${source}; write the twin to another folder`
          : `${outDir} holds the input folder ${source}; write the twin to another folder`,
      );
    }
  }
}

interface RecipeOnDisk {
  tool?: unknown;
  files?: unknown;
  sourceModel?: unknown;
}

/** Our recipe in `folder`, or null: a regular file, bounded, that says it was written by quant-drift. */
async function readOurRecipe(folder: string): Promise<RecipeOnDisk | null> {
  const path = join(folder, RECIPE_FILE);
  const stats = await lstatOrNull(path);
  if (!stats?.isFile() || stats.size > MAX_RECIPE_BYTES) return null;
  try {
    const recipe = JSON.parse(await fs.readFile(path, 'utf8')) as unknown;
    if (!recipe || typeof recipe !== 'object' || (recipe as RecipeOnDisk).tool !== 'quant-drift') return null;
    return recipe;
  } catch {
    return null;
  }
}

/**
 * The names a twin of ours may hold: those its recipe lists, or, for recipes written before the list existed,
 * its model and external data plus the side files this run copies (the same names it will write again).
 */
function twinFiles(recipe: RecipeOnDisk, sideFiles: readonly string[]): Set<string> {
  if (Array.isArray(recipe.files) && recipe.files.every((name) => typeof name === 'string')) {
    return new Set([RECIPE_FILE, ...recipe.files]);
  }
  const model = typeof recipe.sourceModel === 'string' ? basename(recipe.sourceModel) : 'model.onnx';
  return new Set([RECIPE_FILE, model, `${model}.data`, ...sideFiles]);
}

async function outputState(outDir: string, folder: string, sideFiles: readonly string[]): Promise<OutputState> {
  const entries = await fs.readdir(folder, { withFileTypes: true });
  if (entries.length === 0) return { kind: 'empty' };
  const recipe = await readOurRecipe(folder);
  if (!recipe) {
    throw new QuantizeError(
      `${outDir} is not empty and is not a twin written by quant-drift (no ${RECIPE_FILE} of ours): ` +
        'nothing in it is replaced; choose a new or empty folder',
    );
  }
  const known = twinFiles(recipe, sideFiles);
  const foreign = entries.filter((entry) => !entry.isFile() || !known.has(entry.name)).map((entry) => entry.name);
  if (foreign.length > 0) {
    throw new QuantizeError(
      `${outDir} holds a quant-drift twin plus ${foreign.length === 1 ? 'an entry' : 'entries'} it did not write ` +
        `(${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}); move ${foreign.length === 1 ? 'it' : 'them'} or choose another folder`,
    );
  }
  return { kind: 'twin', files: [...known] };
}

/**
 * Checks OUT (see the module comment) without writing anything: its real path and what is there. Throws a
 * QuantizeError naming the reason when the twin may not be written there.
 */
export async function inspectOutput(
  outDir: string,
  sourceDir: string,
  sideFiles: readonly string[],
  createParent = false,
): Promise<OutputTarget> {
  const out = await resolveOutput(outDir, createParent);
  await assertNotInput(outDir, out, sourceDir);
  return { path: out.path, state: out.stats ? await outputState(outDir, out.path, sideFiles) : { kind: 'absent' } };
}

/** A new hidden folder beside the target, on the same file system, that only this run writes into. */
export async function createStaging(target: OutputTarget): Promise<string> {
  const staging = temporarySibling(target.path, STAGING_TAG);
  await fs.mkdir(staging);
  return staging;
}

/** Refuses to finish when an input file lives inside the folder being replaced (a link into the old twin). */
async function assertInputsOutside(target: OutputTarget, inputs: readonly string[]): Promise<void> {
  if (target.state.kind !== 'twin') return;
  for (const input of inputs) {
    const real = await fs.realpath(input).catch(() => input);
    if (isInside(real, target.path)) {
      throw new QuantizeError(
        `${input} is read from ${target.path}, which the twin would replace; nothing was replaced`,
      );
    }
  }
}

/**
 * Moves the finished staging folder to the target. Returns the folder a replaced twin was moved to when
 * something other than its listed files was left in it (so nothing was deleted that the twin did not hold).
 */
export async function commitStaging(
  staging: string,
  target: OutputTarget,
  inputs: readonly string[],
): Promise<string | null> {
  await assertInputsOutside(target, inputs);
  const { state } = target;
  if (state.kind === 'absent') {
    await fs.rename(staging, target.path);
    return null;
  }
  if (state.kind === 'empty') {
    await fs.rmdir(target.path); // fails, keeping everything, if something was put there meanwhile
    await fs.rename(staging, target.path);
    return null;
  }
  const aside = temporarySibling(target.path, REPLACED_TAG);
  await fs.rename(target.path, aside);
  try {
    await fs.rename(staging, target.path);
  } catch (error) {
    await fs.rename(aside, target.path);
    throw error;
  }
  for (const name of state.files) {
    const path = join(aside, name);
    if ((await lstatOrNull(path))?.isFile()) await fs.unlink(path);
  }
  try {
    await fs.rmdir(aside);
    return null;
  } catch {
    return aside;
  }
}

/**
 * Staging folders of earlier runs into the same OUT that never finished (killed, or the machine went down):
 * reported so the user can delete them, never removed here, as another run may still be writing one.
 */
export async function leftoverStaging(target: OutputTarget): Promise<string[]> {
  const prefix = `.${basename(target.path)}.`;
  const names = await fs.readdir(dirname(target.path)).catch(() => [] as string[]);
  return names
    .filter(
      (name) => name.startsWith(prefix) && (name.endsWith(`.${STAGING_TAG}`) || name.endsWith(`.${REPLACED_TAG}`)),
    )
    .map((name) => join(dirname(target.path), name));
}

/** Removes the staging folder of a run that did not finish: this run created it and everything in it. */
export async function discardStaging(staging: string): Promise<void> {
  await fs.rm(staging, { recursive: true, force: true });
}
