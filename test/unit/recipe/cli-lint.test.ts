/** `quant-drift lint`: formats, --fix, folder walk, skips and exit codes (docs/ARCHITECTURE.md, CLI contract). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { memoryIo } from '../../../src/cli/io';
import { runLint } from '../../../src/cli/lint';

const ASYM = 'optimum-cli export openvino \\\n  -m org/some-model \\\n  --weight-format int4 \\\n  out\n';
const CLEAN = 'optimum-cli export openvino -m org/some-model --weight-format int4 --sym --group-size 128 out\n';

const created: string[] = [];
after(async () => {
  for (const dir of created) await fs.rm(dir, { recursive: true, force: true });
});

async function workspace(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-lint-'));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

test('text output, exit 1 on errors, node_modules and .git skipped', async () => {
  const dir = await workspace({
    'export.sh': ASYM,
    'ok.sh': CLEAN,
    'node_modules/pkg/x.sh': ASYM,
    '.git/hooks/x.sh': ASYM,
  });
  const io = memoryIo(dir);
  assert.equal(await runLint(['.'], io), 1);
  const out = io.stdout.join('\n');
  assert.match(out, /^export\.sh:3:3: error npu-asymmetric-int4: /m);
  assert.doesNotMatch(out, /node_modules|\.git/);
  assert.match(out, /1 error, 0 warnings, 0 infos in 2 files/);
  assert.equal(await runLint(['ok.sh'], memoryIo(dir)), 0);
});

test('json output: 1-based positions and fixes with line/column edits', async () => {
  const dir = await workspace({ 'export.sh': ASYM });
  const io = memoryIo(dir);
  assert.equal(await runLint(['--format', 'json', 'export.sh'], io), 1);
  const findings = JSON.parse(io.stdout.join('')) as Record<string, unknown>[];
  assert.equal(findings.length, 1);
  assert.deepEqual(Object.keys(findings[0]).sort(), [
    'column',
    'endColumn',
    'endLine',
    'file',
    'fixes',
    'line',
    'message',
    'rule',
    'severity',
  ]);
  assert.deepEqual(
    {
      file: findings[0].file,
      line: findings[0].line,
      column: findings[0].column,
      endLine: findings[0].endLine,
      endColumn: findings[0].endColumn,
    },
    { file: 'export.sh', line: 3, column: 3, endLine: 3, endColumn: 23 },
  );
  assert.deepEqual(findings[0].fixes, [
    { title: 'Add --sym', edits: [{ line: 3, column: 23, endLine: 3, endColumn: 23, newText: ' --sym' }] },
  ]);
});

test('sarif output: 2.1.0 with rule metadata, help links, levels and fixes', async () => {
  const dir = await workspace({
    'a.sh': ASYM,
    'b.sh': 'optimum-cli export openvino -m o/m --weight-format int4 --sym --ratio 0.5 out\n',
  });
  const io = memoryIo(dir);
  await runLint(['--format=sarif', '.'], io);
  const sarif = JSON.parse(io.stdout.join('')) as {
    version: string;
    runs: {
      tool: { driver: { rules: { id: string; helpUri: string }[] } };
      results: {
        ruleId: string;
        level: string;
        locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        fixes?: unknown[];
      }[];
    }[];
  };
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  const rule = run.tool.driver.rules.find((candidate) => candidate.id === 'npu-asymmetric-int4');
  assert.match(rule!.helpUri, /docs\/rules\/npu-asymmetric-int4\.md$/);
  assert.deepEqual(
    run.results.map(
      (result) =>
        `${result.ruleId}:${result.level}:${result.locations[0].physicalLocation.artifactLocation.uri}:${result.locations[0].physicalLocation.region.startLine}`,
    ),
    ['npu-asymmetric-int4:error:a.sh:3', 'npu-ratio-below-one:warning:b.sh:1'],
  );
  assert.equal(run.results[0].fixes?.length, 1);
});

test('--fix writes the preferred fixes and reports what is left', async () => {
  const dir = await workspace({
    'export.sh': ASYM,
    'q.py':
      'cmd = ["optimum-cli", "export", "openvino", "-m", m, "--weight-format", "int4", "--group-size", "1", out]\n',
  });
  const io = memoryIo(dir);
  assert.equal(await runLint(['--fix', '.'], io), 0);
  assert.equal(
    await fs.readFile(path.join(dir, 'export.sh'), 'utf8'),
    'optimum-cli export openvino \\\n  -m org/some-model \\\n  --weight-format int4 --sym \\\n  out\n',
  );
  assert.equal(
    await fs.readFile(path.join(dir, 'q.py'), 'utf8'),
    'cmd = ["optimum-cli", "export", "openvino", "-m", m, "--weight-format", "int4", "--sym", "--group-size", "-1", out]\n',
  );
  assert.match(io.stderr.join('\n'), /fixed 1 finding in export\.sh/);
  const again = memoryIo(dir);
  assert.equal(await runLint(['--fix', '.'], again), 0);
  assert.doesNotMatch(again.stderr.join('\n'), /fixed/);
});

test('--target and the directive comment', async () => {
  const dir = await workspace({
    'export.sh': ASYM,
    'mtl.sh':
      '# quant-drift: target=intel-npu-mtl\noptimum-cli export openvino -m o/m --weight-format nf4 --sym --group-size -1 out\n',
  });
  assert.equal(await runLint(['--target', 'cpu', 'export.sh'], memoryIo(dir)), 0);
  assert.equal(await runLint(['--target', 'cpu', 'mtl.sh'], memoryIo(dir)), 1);
});

test('a 50 MB file and a binary file are skipped with a reason', async () => {
  const dir = await workspace({ 'bin.json': Buffer.from([0x7b, 0, 1, 2, 0x7d]) });
  await fs.writeFile(path.join(dir, 'big.sh'), '');
  await fs.truncate(path.join(dir, 'big.sh'), 50 * 1024 * 1024);
  const io = memoryIo(dir);
  assert.equal(await runLint(['.'], io), 0);
  const err = io.stderr.join('\n');
  assert.match(err, /skipped big\.sh: larger than 20 MB \(50\.0 MB\)/);
  assert.match(err, /skipped bin\.json: binary file/);
  assert.match(io.stdout.join('\n'), /in 0 files \(2 skipped\)/);
});

test('usage and I/O problems exit 2', async () => {
  const dir = await workspace({ 'ok.sh': CLEAN });
  for (const argv of [[], ['--format', 'xml', '.'], ['--target', 'tpu', '.'], ['--bogus', '.']]) {
    const io = memoryIo(dir);
    assert.equal(await runLint(argv, io), 2, argv.join(' '));
    assert.match(io.stderr.join('\n'), /Usage: quant-drift lint/);
  }
  const io = memoryIo(dir);
  assert.equal(await runLint(['missing.sh', 'ok.sh'], io), 2);
  assert.match(io.stderr.join('\n'), /cannot read missing\.sh: ENOENT/);
  assert.equal(await runLint(['--help'], memoryIo(dir)), 0);
});

// ---- issue 12 item 7: --fix never corrupts, never writes through a link, writes atomically ----

test('--fix refuses a file that is not valid UTF-8 and leaves its bytes alone', async () => {
  const latin1 = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${ASYM}`)]);
  const dir = await workspace({ 'export.sh': latin1 });
  const io = memoryIo(dir);
  assert.equal(await runLint(['--fix', 'export.sh'], io), 1, 'the finding is still reported');
  assert.deepEqual(await fs.readFile(path.join(dir, 'export.sh')), latin1);
  assert.match(io.stderr.join('\n'), /not fixed export\.sh: it is not valid UTF-8/);
});

test('--fix does not write through a symbolic link named on the command line', async () => {
  const dir = await workspace({ 'outside/export.sh': ASYM, 'repo/.keep': '' });
  await fs.symlink(path.join(dir, 'outside', 'export.sh'), path.join(dir, 'repo', 'link.sh'));
  const io = memoryIo(path.join(dir, 'repo'));
  assert.equal(await runLint(['--fix', 'link.sh'], io), 1);
  assert.equal(await fs.readFile(path.join(dir, 'outside', 'export.sh'), 'utf8'), ASYM);
  assert.ok((await fs.lstat(path.join(dir, 'repo', 'link.sh'))).isSymbolicLink());
  assert.match(io.stderr.join('\n'), /not fixed link\.sh: it is a symbolic link/);
});

test('--fix replaces the file by rename, keeping its mode and a byte-order mark', async () => {
  const dir = await workspace({ 'export.sh': `\uFEFF${ASYM}` });
  const file = path.join(dir, 'export.sh');
  await fs.chmod(file, 0o750);
  const inode = (await fs.stat(file)).ino;
  assert.equal(await runLint(['--fix', 'export.sh'], memoryIo(dir)), 0);
  const after = await fs.stat(file);
  assert.notEqual(after.ino, inode, 'written to a temporary name and renamed, not truncated in place');
  assert.equal(after.mode & 0o777, 0o750);
  const bytes = await fs.readFile(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.match(bytes.toString('utf8'), /--weight-format int4 --sym/);
  assert.deepEqual(await fs.readdir(dir), ['export.sh'], 'no temporary file left');
});

test(
  'a FIFO named on the command line is skipped, not waited on',
  { skip: process.platform === 'win32', timeout: 10_000 },
  async () => {
    const dir = await workspace({});
    execFileSync('mkfifo', [path.join(dir, 'pipe.sh')]);
    const io = memoryIo(dir);
    assert.equal(await runLint(['pipe.sh'], io), 0);
    assert.match(io.stderr.join('\n'), /skipped pipe\.sh: not a regular file/);
  },
);
