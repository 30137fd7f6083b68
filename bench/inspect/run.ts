/**
 * bench/inspect: header-only inspection against full protobuf decoding, and a 200-folder scan.
 * Goals (issue 4): a ~1 GB ONNX model is inspected reading < 1 MB and >= 100x faster than decoding it
 * with onnx-proto, measured side by side in this one run; 200 model folders scan in < 300 ms.
 * Usage: node out/bench/inspect/run.js [--size-mb 1024] [--folders 200] [--keep]
 */
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { inspectOnnxFile } from '../../src/core/onnx/inspect';
import { encodeLengthPrefix, encodeTag, encodeVarint, WireType } from '../../src/core/onnx/wire';
import { scanInventory, InventoryCache, type InventoryRoot } from '../../src/core/models';
import { InventoryWorker } from '../../src/core/models/inventory-client';
import { writeModelFolders } from '../../test/unit/models/fixtures';

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/** Wall time and CPU time (user + system) of one call: on a shared machine the wall time includes waiting. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Writes a Llama-shaped fp32 ONNX file of about `sizeMb` MB without holding it in memory: each initializer's
 * header is encoded with onnx-proto and its raw_data payload streamed after a hand-written length prefix.
 */
async function writeBigOnnx(file: string, sizeMb: number): Promise<{ bytes: number; tensors: number }> {
  const dim = 2048;
  const tensorBytes = dim * dim * 4; // 16 MiB per [2048, 2048] fp32 matrix
  const tensors = Math.max(1, Math.round((sizeMb * 1024 * 1024) / tensorBytes));
  const payload = Buffer.alloc(tensorBytes);
  for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE((i * 2654435761) >>> 0, i);

  const nodes: Uint8Array[] = [];
  const initializerHeads: Uint8Array[] = [];
  let current = 'hidden';
  for (let index = 0; index < tensors; index++) {
    const name = `model.layers.${Math.floor(index / 4)}.proj${index % 4}.weight`;
    initializerHeads.push(onnx.TensorProto.encode({ name, dataType: 1, dims: [dim, dim] }).finish());
    nodes.push(
      onnx.NodeProto.encode({
        opType: 'MatMul',
        input: [current, name],
        output: [`h${index}`],
        name: `matmul_${index}`,
      }).finish(),
    );
    current = `h${index}`;
  }
  const io = [
    onnx.ValueInfoProto.encode({
      name: 'hidden',
      type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: dim }] } } },
    }).finish(),
    onnx.ValueInfoProto.encode({
      name: current,
      type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: dim }] } } },
    }).finish(),
  ];
  const rawField = Buffer.concat([encodeLengthPrefix(9, tensorBytes)]);
  const tensorLength = (head: Uint8Array): number => head.length + rawField.length + tensorBytes;
  const graphParts: Uint8Array[] = [];
  for (const node of nodes) graphParts.push(encodeLengthPrefix(1, node.length), node);
  let graphLength = graphParts.reduce((n, part) => n + part.length, 0);
  for (const head of initializerHeads)
    graphLength += encodeLengthPrefix(5, tensorLength(head)).length + tensorLength(head);
  const tail = [encodeLengthPrefix(11, io[0]!.length), io[0]!, encodeLengthPrefix(12, io[1]!.length), io[1]!];
  graphLength += tail.reduce((n, part) => n + part.length, 0);

  const opset = onnx.OperatorSetIdProto.encode({ domain: '', version: 17 }).finish();
  const handle = await fs.open(file, 'w');
  let written = 0;
  const write = async (bytes: Uint8Array): Promise<void> => {
    await handle.write(bytes);
    written += bytes.length;
  };
  try {
    await write(
      Buffer.concat([
        encodeTag(1, WireType.Varint),
        encodeVarint(8),
        encodeLengthPrefix(8, opset.length),
        opset,
        encodeLengthPrefix(7, graphLength),
      ]),
    );
    for (const part of graphParts) await write(part);
    for (const head of initializerHeads) {
      await write(Buffer.concat([encodeLengthPrefix(5, tensorLength(head)), head, rawField]));
      await write(payload);
    }
    for (const part of tail) await write(part);
  } finally {
    await handle.close();
  }
  return { bytes: written, tensors };
}

async function benchOnnx(dir: string, sizeMb: number): Promise<void> {
  const file = path.join(dir, 'big.onnx');
  const built = await writeBigOnnx(file, sizeMb);
  console.log(`built ${file}: ${(built.bytes / 2 ** 20).toFixed(0)} MiB, ${built.tensors} fp32 initializers`);

  const ours: number[] = [];
  const oursCpu: number[] = [];
  let bytesRead = 0;
  let params = 0;
  // Warm-up runs (not counted): JIT and module loading, as in a long-running extension host.
  for (let run = 0; run < 5; run++) await inspectOnnxFile(file);
  for (let run = 0; run < 21; run++) {
    const { value: summary, wallMs, cpuMs } = await timed(() => inspectOnnxFile(file));
    ours.push(wallMs);
    oursCpu.push(cpuMs);
    bytesRead = summary.bytesRead;
    params = summary.params;
  }
  const full: number[] = [];
  const fullCpu: number[] = [];
  const decodeOnly: number[] = [];
  let decodedInitializers = 0;
  for (let run = 0; run < 2; run++) {
    let decodeMs = 0;
    const { wallMs, cpuMs } = await timed(async () => {
      const bytes = await fs.readFile(file);
      const readDone = performance.now();
      const model = onnx.ModelProto.decode(bytes);
      decodeMs = performance.now() - readDone;
      decodedInitializers = model.graph?.initializer?.length ?? 0;
    });
    full.push(wallMs);
    fullCpu.push(cpuMs);
    decodeOnly.push(decodeMs);
  }
  if (decodedInitializers !== built.tensors)
    throw new Error(`onnx-proto decoded ${decodedInitializers} initializers, expected ${built.tensors}`);
  const oursMs = median(ours);
  const fullMs = median(full);
  console.log('\nONNX header-only inspection vs full onnx-proto decode (same file, same run)');
  console.log(
    `  file size               ${(built.bytes / 2 ** 20).toFixed(0)} MiB, ${(params / 1e6).toFixed(0)}M params counted`,
  );
  console.log(
    `  bytes read (inspector)  ${bytesRead} B = ${(bytesRead / 1024).toFixed(1)} KiB   (goal < 1 MiB: ${bytesRead < 2 ** 20 ? 'met' : 'MISSED'})`,
  );
  console.log(`  bytes read (decode)     ${built.bytes} B; ratio ${(built.bytes / bytesRead).toFixed(0)}x fewer bytes`);
  console.log(
    `  inspector               wall median ${oursMs.toFixed(1)} ms, cpu median ${median(oursCpu).toFixed(1)} ms (${ours.length} runs after 5 warm-ups)`,
  );
  console.log(
    `  readFile + decode       wall median ${fullMs.toFixed(0)} ms, cpu median ${median(fullCpu).toFixed(0)} ms (${full.length} runs; protobufjs decode itself ${median(decodeOnly).toFixed(0)} ms: raw_data is referenced, not copied, so reading the file is the cost)`,
  );
  console.log(
    `  speed-up                wall ${(fullMs / oursMs).toFixed(0)}x, cpu ${(median(fullCpu) / median(oursCpu)).toFixed(0)}x   (goal >= 100x: ${fullMs / oursMs >= 100 ? 'met' : 'MISSED'} on wall time)`,
  );
  await fs.rm(file, { force: true });
}

async function benchScan(dir: string, target: number): Promise<void> {
  const root = path.join(dir, 'scan');
  let folders = 0;
  for (let batch = 0; folders < target; batch++) {
    const written = await writeModelFolders(path.join(root, `batch-${batch}`));
    folders += Object.keys(written).length;
  }
  // Trim to exactly `target` by removing surplus folders of the last batch.
  const batches = await fs.readdir(root);
  const all = (
    await Promise.all(
      batches.map(async (b) => (await fs.readdir(path.join(root, b))).map((f) => path.join(root, b, f))),
    )
  )
    .flat()
    .sort();
  for (const extra of all.slice(target)) await fs.rm(extra, { recursive: true, force: true });

  const cold: number[] = [];
  const coldCpu: number[] = [];
  const warm: number[] = [];
  let found = 0;
  const roots = [{ path: root, label: 'bench', kind: 'modelRoot' as const }];
  await scanInventory(roots); // warm-up, not counted
  for (let run = 0; run < 5; run++) {
    const cache = new InventoryCache();
    const first = await timed(() => scanInventory(roots, { cache }));
    cold.push(first.wallMs);
    coldCpu.push(first.cpuMs);
    found = first.value[0]!.models.length;
    if (first.value[0]!.models.some((model) => model.error)) throw new Error('a bench folder did not inspect cleanly');
    warm.push((await timed(() => scanInventory(roots, { cache }))).wallMs);
  }
  console.log(`\nScanning ${found} model folders (discover + header-only inspect + verdicts for 7 devices)`);
  console.log(
    `  cold (no cache)   wall median ${median(cold).toFixed(0)} ms, cpu median ${median(coldCpu).toFixed(0)} ms (${cold.length} runs after one warm-up)   (goal < 300 ms: ${median(cold) < 300 ? 'met' : 'MISSED'} on wall time)`,
  );
  console.log(
    `  warm (unchanged)  wall median ${median(warm).toFixed(0)} ms; ${(median(cold) / median(warm)).toFixed(1)}x faster than cold`,
  );
  const warmUpRoot = path.join(dir, 'worker-warm-up');
  await writeModelFolders(warmUpRoot);
  await scanThroughWorker(roots, median(cold), warmUpRoot);
}

/**
 * The extension scans in a worker thread (dist/inventory-worker.js, built by `npm run build`). Measured two ways,
 * each with a fresh worker: its first scan (thread start and unoptimised code included: the first scan after
 * activation), and a cold-cache scan after the worker has scanned another folder (comparable with in-process).
 */
async function scanThroughWorker(roots: InventoryRoot[], inProcessMs: number, warmUpRoot: string): Promise<void> {
  const workerPath = path.resolve(__dirname, '../../../dist/inventory-worker.js');
  if (!existsSync(workerPath)) {
    console.log('  worker thread     dist/inventory-worker.js not built (npm run build); skipped');
    return;
  }
  const first: number[] = [];
  const warmed: number[] = [];
  for (let run = 0; run < 5; run++) {
    const fresh = new InventoryWorker({ workerPath });
    try {
      first.push((await timed(() => fresh.scan(roots))).wallMs);
    } finally {
      fresh.dispose();
    }
    const worker = new InventoryWorker({ workerPath });
    try {
      await worker.scan([{ path: warmUpRoot, label: 'warm-up', kind: 'modelRoot' }]);
      warmed.push((await timed(() => worker.scan(roots))).wallMs);
    } finally {
      worker.dispose();
    }
  }
  console.log(
    `  in the worker     wall median ${median(warmed).toFixed(0)} ms, cold cache after a warm-up scan (${(median(warmed) / inProcessMs).toFixed(2)}x in-process; goal < 300 ms: ${median(warmed) < 300 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `  first scan        wall median ${median(first).toFixed(0)} ms in a fresh worker (thread start and unoptimised code included)`,
  );
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'qd-bench-inspect-'));
  // Wall times on a shared machine include waiting for a core; the load average says how much.
  console.log(
    `load average ${os
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores`,
  );
  try {
    await benchOnnx(dir, arg('--size-mb', 1024));
    await benchScan(dir, arg('--folders', 200));
  } finally {
    if (!process.argv.includes('--keep')) await fs.rm(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
