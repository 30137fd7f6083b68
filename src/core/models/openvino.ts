/**
 * OpenVINO IR (.xml) inspection, streaming: the .xml is read in chunks and only its tags are looked at;
 * the .bin (the weights) is never opened. What we want:
 *  - element types and shapes of `Const` layers (u4/i4/nf4 weights, f16 scales, u8 zero points, ...);
 *  - the model-level `rt_info/nncf/weight_compression/{mode, group_size, ratio, backup_mode, ...}` NNCF
 *    writes after compression (DOMAIN-REFERENCE.md §1.4), and `rt_info/optimum/...` when present.
 */
import { openRegular, type ReadBudget } from './bounds';
import { Tally } from './tally';

export interface IrConst {
  readonly elementType: string;
  readonly shape: readonly number[];
}

export interface IrSummary {
  readonly name: string | null;
  readonly irVersion: number | null;
  readonly layerCounts: Readonly<Record<string, number>>;
  /** Element count of weight-like Const layers per element type (scales/zero points excluded, see isWeightShape). */
  readonly weightElementsByType: Readonly<Record<string, number>>;
  /** Flattened model-level rt_info: `nncf/weight_compression/mode` -> `int4_sym`. */
  readonly rtInfo: Readonly<Record<string, string>>;
  readonly params: number;
  readonly bytesRead: number;
}

const CHUNK = 256 * 1024;
/**
 * Bounds of the scan: an unfinished tag or comment is kept between chunks only up to MAX_PENDING characters
 * (real tags are short; rt_info values a few KB), and elements nest at most MAX_DEPTH deep (an IR nests 6).
 */
export const IR_LIMITS = { pending: 1024 * 1024, depth: 64 } as const;

export async function inspectIrXml(
  path: string,
  opts: { signal?: AbortSignal; budget?: ReadBudget } = {},
): Promise<IrSummary> {
  const scanner = new IrScanner();
  const { handle, size } = await openRegular(path);
  try {
    // Plain positional reads: cheaper than a read stream for the many small IRs of a scan.
    // Sized to the file: most IRs of a scan are small, and a fresh 256 KB buffer per file feeds the GC.
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, size)));
    const decoder = new TextDecoder('utf-8');
    let bytesRead = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      const { bytesRead: count } = await handle.read(buffer, 0, buffer.length, bytesRead);
      if (count === 0) break;
      bytesRead += count;
      opts.budget?.charge(count);
      scanner.feed(decoder.decode(buffer.subarray(0, count), { stream: true }));
    }
    scanner.feed(decoder.decode());
    return scanner.finish(bytesRead);
  } finally {
    await handle.close();
  }
}

export function inspectIrText(text: string): IrSummary {
  return inspectIrChunks([text]);
}

/** The streaming scanner over text chunks that may split tags anywhere (what a read stream yields). */
export function inspectIrChunks(chunks: Iterable<string>): IrSummary {
  const scanner = new IrScanner();
  let bytes = 0;
  for (const chunk of chunks) {
    scanner.feed(chunk);
    bytes += Buffer.byteLength(chunk);
  }
  return scanner.finish(bytes);
}

/** A tag tokenizer good enough for IR: no DTDs, no CDATA in the parts we read, attributes in double quotes. */
class IrScanner {
  private pending = '';
  /** Inside a comment that did not end in the chunks so far: only its last two characters matter. */
  private inComment = false;
  private readonly stack: string[] = [];
  private layerType: string | null = null;
  private name: string | null = null;
  private irVersion: number | null = null;
  private sawNet = false;
  // Keyed by names from the file: Tally/Map, never a plain object (`constructor`, `__proto__`).
  private readonly layerCounts = new Tally();
  private readonly weightElements = new Tally();
  private readonly rtInfo = new Map<string, string>();
  private params = 0;

  feed(text: string): void {
    let buffer = this.pending + text;
    let position = 0;
    if (this.inComment) {
      const end = buffer.indexOf('-->');
      if (end < 0) {
        // Keep "--" that a next chunk may finish as "-->"; never rescan the comment's body.
        this.pending = buffer.slice(-2);
        return;
      }
      this.inComment = false;
      position = end + 3;
    }
    for (;;) {
      const open = buffer.indexOf('<', position);
      if (open < 0) {
        position = buffer.length;
        break;
      }
      // Comments and processing instructions may contain '>' only at their end; skip them whole.
      if (buffer.startsWith('<!--', open)) {
        const end = buffer.indexOf('-->', open + 4);
        if (end < 0) {
          this.inComment = true;
          this.pending = buffer.slice(Math.max(open + 4, buffer.length - 2));
          return;
        }
        position = end + 3;
        continue;
      }
      const close = buffer.indexOf('>', open + 1);
      if (close < 0) {
        position = open;
        break;
      }
      this.tag(buffer.slice(open + 1, close));
      position = close + 1;
    }
    buffer = buffer.slice(position);
    // Text between tags is not needed: keep only an unfinished tag.
    this.pending = buffer.includes('<') ? buffer.slice(buffer.indexOf('<')) : '';
    if (this.pending.length > IR_LIMITS.pending)
      throw new Error(`malformed IR XML: a tag longer than ${IR_LIMITS.pending / 1024} KB`);
  }

  finish(bytesRead: number): IrSummary {
    if (!this.sawNet) throw new Error('not an OpenVINO IR: no <net> element (empty, truncated or another XML file)');
    if (this.inComment) throw new Error('truncated IR XML: a comment never closed');
    if (this.stack.length > 0) throw new Error(`truncated IR XML: <${this.stack.slice(0, 8).join('><')}> never closed`);
    return {
      name: this.name,
      irVersion: this.irVersion,
      layerCounts: this.layerCounts.toObject(),
      weightElementsByType: this.weightElements.toObject(),
      rtInfo: Object.fromEntries(this.rtInfo),
      params: this.params,
      bytesRead,
    };
  }

  private tag(body: string): void {
    if (body.startsWith('?') || body.startsWith('!')) return;
    if (body.startsWith('/')) {
      const name = body.slice(1).trim();
      const top = this.stack.pop();
      if (top !== name)
        throw new Error(`malformed IR XML: </${name.slice(0, 100)}> closes <${top?.slice(0, 100) ?? 'nothing'}>`);
      if (name === 'layer') this.layerType = null;
      return;
    }
    const selfClosing = body.endsWith('/');
    const content = selfClosing ? body.slice(0, -1) : body;
    const nameEnd = content.search(/[\s]/);
    const name = nameEnd < 0 ? content : content.slice(0, nameEnd);
    const attributes = nameEnd < 0 ? '' : content.slice(nameEnd);
    this.element(name, attributes);
    if (selfClosing) return;
    if (this.stack.length >= IR_LIMITS.depth)
      throw new Error(`malformed IR XML: elements nested more than ${IR_LIMITS.depth} deep`);
    this.stack.push(name);
  }

  private element(name: string, attributes: string): void {
    const depth = this.stack.length;
    if (name === 'net' && depth === 0) {
      this.sawNet = true;
      this.name = attribute(attributes, 'name');
      const version = Number(attribute(attributes, 'version'));
      this.irVersion = Number.isFinite(version) ? version : null;
      return;
    }
    if (name === 'layer' && this.stack[depth - 1] === 'layers') {
      this.layerType = attribute(attributes, 'type') ?? 'unknown';
      this.layerCounts.add(this.layerType);
      return;
    }
    if (name === 'data' && this.layerType === 'Const' && this.stack[depth - 1] === 'layer') {
      const elementType = attribute(attributes, 'element_type');
      const shape = (attribute(attributes, 'shape') ?? '')
        .split(',')
        .filter((dim) => dim.trim() !== '')
        .map(Number);
      if (!elementType || shape.some((dim) => !Number.isFinite(dim))) return;
      if (!isWeightShape(shape)) return;
      const elements = shape.reduce((product, dim) => product * dim, 1);
      this.weightElements.add(elementType, elements);
      this.params += elements;
      return;
    }
    // Model-level rt_info: <net><rt_info><nncf><weight_compression><mode value="int4_sym"/>.
    if (this.stack[0] === 'net' && this.stack[1] === 'rt_info') {
      const value = attribute(attributes, 'value');
      if (value !== null) this.rtInfo.set([...this.stack.slice(2), name].join('/'), value);
    }
  }
}

/**
 * Weights are rank >= 2 with a real last dimension. Group-wise compressed weights are [N, G, group] with
 * scales and zero points [N, G, 1]; channel-wise ones are [N, K] with [N, 1]: a trailing 1 marks the
 * per-group constants, which are not parameters.
 */
function isWeightShape(shape: readonly number[]): boolean {
  return shape.length >= 2 && shape[shape.length - 1]! > 1 && shape.reduce((product, dim) => product * dim, 1) >= 64;
}

function attribute(attributes: string, name: string): string | null {
  const match = new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes);
  return match ? unescapeXml(match[1]!) : null;
}

function unescapeXml(text: string): string {
  return text.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_, entity: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity]!,
  );
}
