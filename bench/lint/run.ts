/**
 * bench/lint: recipe lint throughput and re-lint latency (issue 3).
 * Goals: ≥ 20 MB/s over the command corpus repeated to 10 MB; re-lint of a 5,000-line script after one
 * edit in < 20 ms (median). Prints wall and CPU time side by side: on a shared machine wall time
 * includes waiting for a core, CPU time does not.
 * Usage: node out/bench/lint/run.js [--mb 10] [--runs 30]
 */
import { lintText } from '../../src/core/recipe/index';
import { corpusFileName, loadCommandCorpus } from '../../test/unit/recipe/command-corpus/corpus';

const PASSES = 5;

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timed<T>(run: () => T): { wallMs: number; cpuMs: number; value: T } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = run();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, value };
}

/** The corpus grouped into one document per file type, each repeated so that all together reach `bytes`. */
function corpusDocuments(bytes: number): { fileName: string; text: string }[] {
  const groups = new Map<string, string[]>();
  for (const item of loadCommandCorpus()) {
    const fileName = corpusFileName(item);
    groups.set(fileName, [...(groups.get(fileName) ?? []), item.text]);
  }
  const unit = [...groups.values()].reduce((sum, texts) => sum + texts.join('\n\n').length + 2, 0);
  const repeat = Math.ceil(bytes / unit);
  return [...groups.entries()].map(([fileName, texts]) => ({
    fileName,
    text: Array.from({ length: repeat }, () => texts.join('\n\n')).join('\n\n'),
  }));
}

/** A 5,000-line build script: comments, variables, echo lines and an export command every ~25 lines. */
function script(lines: number): string {
  const out: string[] = ['#!/usr/bin/env bash', 'set -euo pipefail'];
  let i = 0;
  while (out.length < lines) {
    i++;
    out.push(
      `# step ${i}: export model ${i}`,
      `MODEL_${i}="org/model-${i}"`,
      `OUT_${i}="models/model-${i}-int4"`,
      `echo "exporting $MODEL_${i}"`,
    );
    out.push(
      'optimum-cli export openvino \\',
      `  --model "$MODEL_${i}" \\`,
      '  --task text-generation-with-past \\',
      '  --weight-format int4 --sym \\',
      '  --group-size 128 --ratio 1.0 \\',
      `  "$OUT_${i}"`,
    );
    for (let k = 0; k < 15; k++) out.push(`ls -la "$OUT_${i}" | grep -c xml >> log_${k}.txt`);
  }
  return out.slice(0, lines).join('\n');
}

function main(): void {
  const megabytes = arg('--mb', 10);
  const runs = arg('--runs', 30);

  const documents = corpusDocuments(megabytes * 1024 * 1024);
  const totalBytes = documents.reduce((sum, doc) => sum + Buffer.byteLength(doc.text), 0);
  // One full pass first, so the numbers are for JIT-compiled code (as in a long-running extension host).
  for (const doc of documents) lintText(doc.text, { fileName: doc.fileName });
  const passes: { wall: number; cpu: number }[] = [];
  const perDocumentWall = documents.map((): number[] => []);
  let recipes = 0;
  let findings = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    let wall = 0;
    let cpu = 0;
    recipes = 0;
    findings = 0;
    for (const [index, doc] of documents.entries()) {
      const result = timed(() => lintText(doc.text, { fileName: doc.fileName }));
      if (result.value.skipped) throw new Error(`${doc.fileName} skipped: ${result.value.skipped}`);
      wall += result.wallMs;
      cpu += result.cpuMs;
      perDocumentWall[index].push(result.wallMs);
      recipes += result.value.recipeCount;
      findings += result.value.findings.length;
    }
    passes.push({ wall, cpu });
  }
  const wall = median(passes.map((pass) => pass.wall));
  const cpu = median(passes.map((pass) => pass.cpu));
  const mb = totalBytes / 1024 / 1024;
  console.log(
    `throughput: ${mb.toFixed(1)} MB corpus (${documents.length} file types, ${recipes} recipes, ${findings} findings), median of ${PASSES} passes after a warm-up pass`,
  );
  console.log(
    `  ${(mb / (wall / 1000)).toFixed(1)} MB/s wall, ${(mb / (cpu / 1000)).toFixed(1)} MB/s CPU  (goal >= 20 MB/s)`,
  );
  console.log("  (CPU time includes V8's parallel garbage-collection threads, so it can exceed wall time)");
  console.log(
    `  per file type, wall: ${documents
      .map((doc, index) => {
        const docMb = Buffer.byteLength(doc.text) / 1024 / 1024;
        return `${doc.fileName} ${docMb.toFixed(2)} MB ${(docMb / (median(perDocumentWall[index]) / 1000)).toFixed(1)} MB/s`;
      })
      .join(', ')}`,
  );

  const base = script(5000);
  const anchor = base.indexOf('--weight-format int4', Math.floor(base.length / 2));
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < runs + 3; r++) {
    const edited = `${base.slice(0, anchor)}--weight-format ${r % 2 ? 'int8' : 'int4'}${base.slice(anchor + '--weight-format int4'.length)}`;
    const result = timed(() => lintText(edited, { fileName: 'build.sh' }));
    if (r >= 3) {
      walls.push(result.wallMs);
      cpus.push(result.cpuMs);
    }
  }
  console.log(
    `re-lint: 5,000-line script (${(base.length / 1024).toFixed(0)} KB, ${(base.match(/optimum-cli/g) ?? []).length} commands) after one edit, ${runs} runs`,
  );
  console.log(`  median ${median(walls).toFixed(2)} ms wall, ${median(cpus).toFixed(2)} ms CPU  (goal < 20 ms)`);
  const scriptMb = Buffer.byteLength(base) / 1024 / 1024;
  console.log(
    `  (for comparison, this script's throughput: ${(scriptMb / (median(cpus) / 1000)).toFixed(1)} MB/s CPU; the corpus is ~${Math.round(recipes / mb)} commands per MB)`,
  );
}

main();
