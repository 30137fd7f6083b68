/**
 * Which file names from a Hub listing may become paths in the cache. The listing comes from a server (or a
 * fake one on 127.0.0.1), so a name is untrusted input: it must stay inside the snapshot folder under every
 * platform's path rules, not only the one we run on. A name that is harmless on Linux (`..\..\Startup\x.bat`,
 * `C:x`, `con.txt`) escapes or opens a device on Windows, and the same cache folder is shared by both.
 */
import * as path from 'node:path';

/** Windows device names, reserved with any extension (Win32 "Naming Files, Paths, and Namespaces"). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_NAME = 1024;

/** Why `name` (a repo-relative path with `/` separators) cannot be written into a snapshot, or null. */
export function hubFileProblem(name: string): string | null {
  if (name.length === 0 || name.length > MAX_NAME) return 'an empty or overlong name';
  if (CONTROL.test(name)) return 'a control character';
  if (name.includes('\\')) return 'a backslash (a folder separator on Windows)';
  if (name.includes(':')) return 'a colon (a drive letter or stream name on Windows)';
  if (/[<>"|?*]/.test(name)) return 'a character Windows does not allow in file names';
  if (name.startsWith('/')) return 'an absolute path';
  for (const part of name.split('/')) {
    if (part === '' || part === '.' || part === '..') return 'an empty, "." or ".." path segment';
    // Windows drops trailing dots and spaces, so `.. ` or `...` can turn into `..` or a different name.
    if (/[. ]$/.test(part)) return 'a path segment ending in a dot or a space';
    if (WINDOWS_DEVICE.test(part)) return `a Windows device name (${part})`;
  }
  return null;
}

/**
 * `folder/name` under `paths` (path.posix or path.win32), or null when the result would leave `folder`.
 * The second line of defence after hubFileProblem: whatever a future rule forgets, a resolved path that
 * is not strictly below the snapshot folder is never written.
 */
export function pathInside(folder: string, name: string, paths: path.PlatformPath = path): string | null {
  const root = paths.resolve(folder);
  const target = paths.resolve(root, ...name.split('/'));
  const relative = paths.relative(root, target);
  if (relative === '' || relative === '..' || relative.startsWith(`..${paths.sep}`) || paths.isAbsolute(relative))
    return null;
  return target;
}

/** Checks a name against both rule sets and this platform's resolution; returns the local path. */
export function snapshotPath(folder: string, name: string): { path: string } | { problem: string } {
  const problem = hubFileProblem(name);
  if (problem) return { problem };
  const local = pathInside(folder, name);
  if (
    !local ||
    !pathInside('C:\\cache\\snapshot', name, path.win32) ||
    !pathInside('/cache/snapshot', name, path.posix)
  )
    return { problem: 'a path that leaves the snapshot folder' };
  return { path: local };
}

/**
 * A name that is both a file and a folder in one listing (`a` and `a/b`; compared without case, as the
 * default file systems of Windows and macOS do) cannot be written: the second write would fail with EEXIST.
 */
export function fileFolderClash(names: readonly string[]): string | null {
  const files = new Set(names.map((name) => name.toLowerCase()));
  for (const name of names) {
    const parts = name.split('/');
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      if (files.has(folder.toLowerCase())) return folder;
    }
  }
  return null;
}
