/**
 * Messages between the extension host and the model-inventory worker thread (src/core/models/inventory-worker.ts).
 * The worker does the file-system work (header reads are synchronous preads), so a slow or hung network drive
 * stalls a worker thread, never the extension host. Both sides check what arrives.
 */
import type { InventoryGroup, InventoryRoot } from './models';

export type HostToInventory =
  | { readonly type: 'scan'; readonly id: number; readonly roots: readonly InventoryRoot[] }
  | { readonly type: 'cancel'; readonly id: number };

export type InventoryToHost =
  | { readonly type: 'done'; readonly id: number; readonly groups: InventoryGroup[] }
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isRoot(value: unknown): value is InventoryRoot {
  return (
    isRecord(value) &&
    typeof value.path === 'string' &&
    typeof value.label === 'string' &&
    (value.kind === 'workspace' || value.kind === 'modelRoot' || value.kind === 'hubCache')
  );
}

export function isHostToInventory(value: unknown): value is HostToInventory {
  if (!isRecord(value) || typeof value.id !== 'number') return false;
  if (value.type === 'cancel') return true;
  return value.type === 'scan' && Array.isArray(value.roots) && value.roots.every(isRoot);
}

export function isInventoryToHost(value: unknown): value is InventoryToHost {
  if (!isRecord(value) || typeof value.id !== 'number') return false;
  if (value.type === 'cancelled') return true;
  if (value.type === 'failed') return typeof value.message === 'string';
  return value.type === 'done' && Array.isArray(value.groups);
}
