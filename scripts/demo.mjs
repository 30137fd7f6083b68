// The built-in demo (scripts/demo.sh runs it after setup and build):
//   1. makes two INT4 twins of the committed FP16 demo model with our quantizer
//      (symmetric group-128, the Intel-NPU-safe recipe; asymmetric channel-wise, the recipe NPUs reject),
//   2. lints the demo workspace's export scripts and configs for an Intel NPU,
//   3. inspects the three model folders,
//   4. runs `quant-drift compare` on both pairs over prompts held apart from training and prints the summaries,
//   5. opens VS Code (code-server) on the demo workspace with the extension, unless --no-open or CI.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  mkdtempSync,
  writeFileSync,
  symlinkSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demo = path.join(root, 'demo');
const models = path.join(demo, 'models');
const base = path.join(models, 'fp16');
const reports = path.join(root, '.cache', 'demo');
const cli = path.join(root, 'dist', 'cli.js');
const open = !process.argv.includes('--no-open') && !process.env.CI;
const maxNewTokens = process.env.QUANT_DRIFT_DEMO_TOKENS ?? '320';

const TWINS = [
  {
    name: 'int4-sym-g128',
    label: 'INT4 symmetric, group 128 (Intel NPU recipe)',
    args: ['--sym', '--block-size', '128'],
  },
  { name: 'int4-asym-cw', label: 'INT4 asymmetric, channel-wise', args: ['--asym', '--channel-wise'] },
];

function heading(text) {
  process.stdout.write(`\n=== ${text}\n`);
}

function run(args, { allowExit = [0] } = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (!allowExit.includes(result.status ?? -1)) {
    throw new Error(`quant-drift ${args[0]} exited with ${result.status}`);
  }
  return result.status;
}

function newerThan(target, source) {
  return existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs;
}

if (!existsSync(path.join(base, 'model.onnx'))) {
  throw new Error(
    `the demo model is missing at ${base}; it is committed to the repository (see tools/demo-model/README.md)`,
  );
}
mkdirSync(reports, { recursive: true });

heading('1. INT4 twins of the FP16 demo model (quant-drift quantize)');
for (const twin of TWINS) {
  const out = path.join(models, twin.name);
  if (newerThan(path.join(out, 'model.onnx'), path.join(base, 'model.onnx'))) {
    process.stdout.write(`${twin.name}: ${twin.label}, up to date\n`);
    continue;
  }
  process.stdout.write(`${twin.name}: ${twin.label}\n`);
  run(['quantize', base, out, ...twin.args, '--accuracy-level', '0']);
}

heading('2. Recipe checks on the demo export scripts (quant-drift lint --target intel-npu-mtl)');
run(['lint', '--target', 'intel-npu-mtl', path.join(demo, 'scripts'), path.join(demo, 'configs')], {
  allowExit: [0, 1],
});

heading('3. What the model folders really hold (quant-drift inspect)');
run(['inspect', base, ...TWINS.map((twin) => path.join(models, twin.name)), '--format', 'text']);

heading(
  `4. FP16 vs INT4 on ${countLines(path.join(demo, 'prompts', 'debian-heldout.jsonl'))} held-out prompts (quant-drift compare)`,
);
const summaries = [];
for (const twin of TWINS) {
  const json = path.join(reports, `${twin.name}.json`);
  const args = [
    'compare',
    base,
    path.join(models, twin.name),
    // The held-out prompts with instruction checks on their JSON answers, and cloze multiple choice over
    // held-out packages (tools/demo-model/make-tasks.mjs writes both from the held-out data).
    '--prompts',
    path.join(demo, 'prompts', 'debian-heldout-tasks.jsonl'),
    '--choices',
    path.join(demo, 'prompts', 'debian-heldout-mc.jsonl'),
  ];
  args.push('--max-new-tokens', maxNewTokens);
  // One run writes both reports: each --out takes the format its extension names.
  run([...args, '--out', json, '--out', path.join(reports, `${twin.name}.html`)], { allowExit: [0, 1] });
  const corpus = path.join(reports, `${twin.name}.corpus.json`);
  run(
    [
      'compare',
      base,
      path.join(models, twin.name),
      '--text',
      path.join(demo, 'prompts', 'debian-heldout-corpus.txt'),
      '--context',
      '256',
      '--format',
      'json',
      '--out',
      corpus,
    ],
    { allowExit: [0, 1] },
  );
  summaries.push({
    twin,
    report: JSON.parse(readFileSync(json, 'utf8')),
    corpus: JSON.parse(readFileSync(corpus, 'utf8')),
  });
}
printSummaries(summaries);
printTaskDeltas(summaries);
process.stdout.write(`\nReports: ${reports}/*.html\n`);

if (open) await openVsCode();

function countLines(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim()).length;
}

function pct(value) {
  return value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

function printSummaries(rows) {
  const header = [
    'recipe',
    'mean KL',
    'p99 KL',
    'same top-1',
    'ppl ratio',
    'corpus ppl ratio',
    'identical',
    'JSON valid base/quant',
    'verdict',
  ];
  const lines = rows.map(({ twin, report, corpus }) => {
    const s = report.summary;
    const corpusRatio = corpus.summary?.pplRatio ?? corpus.pplRatio;
    return [
      twin.name,
      s.meanKld.toFixed(4),
      s.kldP99.toFixed(4),
      pct(s.sameTop1),
      s.pplRatio.toFixed(4),
      typeof corpusRatio === 'number' ? corpusRatio.toFixed(4) : 'n/a',
      `${s.identicalOutputs}/${s.prompts}`,
      `${pct(s.jsonValidBase)} / ${pct(s.jsonValidQuant)}`,
      s.verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  process.stdout.write(`${fmt(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const line of lines) process.stdout.write(`${fmt(line)}\n`);
  for (const { twin, report } of rows) {
    for (const reason of report.summary.reasons) process.stdout.write(`  ${twin.name}: ${reason}\n`);
  }
}

/** Each twin's task deltas as the CLI prints them: base, quant, Δ pp with its 95% interval, McNemar's p. */
function printTaskDeltas(rows) {
  heading('Task deltas (quant − base, 95% paired-bootstrap interval, McNemar exact or sign-flip p)');
  for (const { twin, report } of rows) {
    for (const d of report.tasks?.deltas ?? []) {
      const sign = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`;
      const p = d.pValue === null ? 'p n/a' : d.pValue < 0.001 ? 'p < 0.001' : `p = ${d.pValue.toFixed(2)}`;
      process.stdout.write(
        `${twin.name.padEnd(14)} ${d.label.padEnd(40)} ${pct(d.base)} → ${pct(d.quant)}  ` +
          `${sign(d.deltaPp)} pp [${sign(d.ciLowPp)}, ${sign(d.ciHighPp)}], ${p}, n = ${d.n}\n`,
      );
    }
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function openVsCode() {
  const codeServer = path.join(root, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');
  if (!existsSync(codeServer)) {
    process.stdout.write('\ncode-server is not installed (scripts/setup.sh installs it); skipping the editor.\n');
    return;
  }
  heading('5. VS Code on the demo workspace');
  const scratch = mkdtempSync(path.join(tmpdir(), 'quant-drift-demo-'));
  const extensions = path.join(scratch, 'extensions');
  mkdirSync(extensions, { recursive: true });
  // The repository itself is the extension (dist/ is built, node_modules holds onnxruntime-node for the runner).
  symlinkSync(root, path.join(extensions, 'quant-drift.quant-drift-0.1.0'));
  // Open on the demo, not on code-server's own welcome page, and keep git from asking about the repository above.
  const userSettings = path.join(scratch, 'user', 'User');
  mkdirSync(userSettings, { recursive: true });
  writeFileSync(
    path.join(userSettings, 'settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'git.openRepositoryInParentFolders': 'never' }, null, 2),
  );
  const config = path.join(scratch, 'config.yaml');
  writeFileSync(config, 'auth: none\n');
  const port = await freePort();
  const env = { ...process.env, XDG_CONFIG_HOME: scratch, XDG_DATA_HOME: scratch, XDG_CACHE_HOME: scratch };
  const child = spawn(
    codeServer,
    [
      '--config',
      config,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--user-data-dir',
      path.join(scratch, 'user'),
      '--extensions-dir',
      extensions,
      demo,
    ],
    { env, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    rmSync(scratch, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`Open http://127.0.0.1:${port}/?folder=${encodeURIComponent(demo)} in a browser.\n`);
  process.stdout.write('Then: Help > Welcome > "Get started with Quant Drift". Ctrl+C stops the server.\n');
  await new Promise((resolve) => child.on('exit', resolve));
}
