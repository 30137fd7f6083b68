/**
 * A permissive `vscode` module for running extension code in plain node: every property is a callable,
 * constructible stub returning another stub, and any property can be replaced (set a real function where a test
 * needs to observe calls). Used by bench/activation and the unit test of what activate() registers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Top-level names of the `vscode` API, so `import * as vscode` (esbuild copies own keys) sees them all. */
export function vscodeApiNames(root: string): string[] {
  const typings = readFileSync(path.join(root, 'node_modules/@types/vscode/index.d.ts'), 'utf8');
  return [
    ...new Set(
      [...typings.matchAll(/^\s+export (?:namespace|class|enum|const|let|function) (\w+)/gm)].map((m) => m[1]),
    ),
  ];
}

/** A `vscode` module where every property is a callable, constructible stub returning another stub. */
export function permissiveStub(name = 'vscode', keys: string[] = []): unknown {
  const cache = new Map<PropertyKey, unknown>();
  const target = function stub() {
    /* callable */
  };
  const get = (property: PropertyKey): unknown => {
    if (property === '__esModule') return undefined;
    if (property === 'then') return undefined; // not a thenable: `await stub` must not hang
    if (property === Symbol.toPrimitive) return () => `[${name}]`;
    if (property === Symbol.iterator) return function* () {};
    if (property === 'workspaceFolders' || property === 'activeTextEditor') return undefined;
    if (property === 'visibleTextEditors' || property === 'textDocuments' || property === 'all') return [];
    if (!cache.has(property)) cache.set(property, permissiveStub(`${name}.${String(property)}`));
    return cache.get(property);
  };
  return new Proxy(target, {
    get: (_target, property) => get(property),
    set: (_target, property, value) => {
      cache.set(property, value);
      return true;
    },
    ownKeys: () => [...keys, 'prototype'],
    getOwnPropertyDescriptor(target, property) {
      if (property === 'prototype') return Reflect.getOwnPropertyDescriptor(target, property);
      if (!keys.includes(String(property))) return undefined;
      return { value: get(property), enumerable: true, configurable: true, writable: true };
    },
    apply: () => permissiveStub(`${name}()`),
    construct: () => permissiveStub(`new ${name}`) as object,
  });
}

export function fakeContext(root: string, extensionMode = 1): unknown {
  const memento = { get: () => undefined, update: () => Promise.resolve(), keys: () => [] };
  return {
    subscriptions: [] as unknown[],
    extensionPath: root,
    extensionUri: { fsPath: root, path: root, scheme: 'file', toString: () => `file://${root}` },
    globalState: { ...memento, setKeysForSync: () => undefined },
    workspaceState: memento,
    globalStorageUri: { fsPath: path.join(root, 'bench/.work/global'), scheme: 'file' },
    storageUri: undefined,
    logUri: { fsPath: path.join(root, 'bench/.work/log'), scheme: 'file' },
    extensionMode,
    asAbsolutePath: (relative: string) => path.join(root, relative),
    secrets: { get: () => Promise.resolve(undefined), store: () => Promise.resolve(), delete: () => Promise.resolve() },
    environmentVariableCollection: permissiveStub('envCollection'),
  };
}
