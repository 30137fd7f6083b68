/**
 * The model-inventory worker thread: runs scanInventory for the extension host and keeps the inventory cache
 * between scans. Started by InventoryWorker (inventory-client.ts); bundled as dist/inventory-worker.js.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { isHostToInventory, type InventoryToHost } from '../../protocol/inventory';
import { InventoryCache, scanInventory } from './inventory';

/** Answers scan and cancel requests arriving on `port` (a worker's parentPort, or a test's MessagePort). */
export function serveInventory(port: Pick<MessagePort, 'on' | 'postMessage'>): void {
  const cache = new InventoryCache();
  const running = new Map<number, AbortController>();
  const reply = (message: InventoryToHost): void => port.postMessage(message);
  port.on('message', (message: unknown) => {
    if (!isHostToInventory(message)) return;
    if (message.type === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(message.id, controller);
    scanInventory(message.roots, { signal: controller.signal, cache })
      .then(
        (groups) =>
          reply(
            controller.signal.aborted
              ? { type: 'cancelled', id: message.id }
              : { type: 'done', id: message.id, groups },
          ),
        (error: unknown) =>
          reply(
            controller.signal.aborted
              ? { type: 'cancelled', id: message.id }
              : { type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) },
          ),
      )
      .finally(() => running.delete(message.id));
  });
}

if (parentPort) serveInventory(parentPort);
