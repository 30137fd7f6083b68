/** The shared atomic writer: replace by rename, keep the mode, refuse links and special files, leave no temp. */
import assert from 'node:assert/strict';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { UnsafeWriteError, writeFileAtomic } from '../../../src/core/fs/atomic-write';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qd-atomic-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('replaces the file by rename (a new inode), keeps its mode, leaves no temporary file', async () => {
  const file = join(dir, 'run.sh');
  await writeFile(file, 'old\n');
  await chmod(file, 0o751);
  const inode = (await stat(file)).ino;
  await writeFileAtomic(file, 'new\n');
  assert.equal(await readFile(file, 'utf8'), 'new\n');
  assert.equal((await stat(file)).mode & 0o7777, 0o751);
  assert.notEqual((await stat(file)).ino, inode, 'renamed into place, not rewritten in place');
  assert.deepEqual(await readdir(dir), ['run.sh']);
});

test('creates a new file', async () => {
  const file = join(dir, 'new.json');
  await writeFileAtomic(file, new Uint8Array([123, 125]));
  assert.equal(await readFile(file, 'utf8'), '{}');
});

test('refuses a symbolic link (neither followed nor replaced) and a folder', async () => {
  const target = join(dir, 'target.txt');
  await writeFile(target, 'target\n');
  const link = join(dir, 'link.txt');
  await symlink(target, link);
  await assert.rejects(writeFileAtomic(link, 'x'), UnsafeWriteError);
  assert.equal(await readFile(target, 'utf8'), 'target\n');
  assert.equal(await readlink(link), target);
  assert.ok((await lstat(link)).isSymbolicLink());
  await mkdir(join(dir, 'folder'));
  await assert.rejects(writeFileAtomic(join(dir, 'folder'), 'x'), /not a regular file/);
});

test('a failed write removes its temporary file and keeps the old content', async () => {
  const sub = join(dir, 'ro');
  await mkdir(sub);
  const file = join(sub, 'kept.txt');
  await writeFile(file, 'kept\n');
  // A data argument the writer cannot write fails after the temporary file was created.
  await assert.rejects(writeFileAtomic(file, 42 as unknown as string));
  assert.equal(await readFile(file, 'utf8'), 'kept\n');
  assert.deepEqual(await readdir(sub), ['kept.txt']);
});
