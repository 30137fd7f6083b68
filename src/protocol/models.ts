/**
 * What the model inventory knows about one model folder. The first fields are exactly the
 * `quant-drift inspect` contract of docs/ARCHITECTURE.md; the rest are extras for the tree and tooltips.
 */
import type { DeviceProfileId } from './devices';

export type ModelFormat = 'openvino-ir' | 'onnx' | 'onnx-genai' | 'gguf' | 'safetensors' | 'unknown';
export type Verdict = 'ok' | 'warn' | 'no';

export interface DeviceVerdict {
  verdict: Verdict;
  reasons: string[];
  /** Rule ids behind the reasons, for links to docs/rules/ID.md. */
  rules?: string[];
  /**
   * Set when the verdict is a prediction for this recipe in another format (an ONNX INT4 twin judged for an Intel
   * NPU: the same weights exported to OpenVINO IR with optimum-cli), and the format is all that is against it.
   */
  asExport?: 'openvino-ir';
}

export interface WeightsInfo {
  /** `fp32`, `fp16`, `bf16`, `int8`, `int4`, `nf4`, a GGUF type such as `Q4_K_M`, or `unknown`. */
  dtype: string;
  bits: number | null;
  sym: boolean | null;
  /** Group (block) size; -1 is channel-wise. */
  groupSize: number | null;
  /** Share of layers at the primary precision (NNCF `ratio`), when recorded. */
  ratio?: number | null;
  backupPrecision?: string | null;
  accuracyLevel?: number | null;
  /** Where the precision was read from: `rt_info`, `MatMulNBits`, `QDQ`, `openvino_config.json`, ... */
  source?: string;
  /** ONNX: weight MatMuls in all and how many are quantized (any format). */
  matMuls?: { total: number; quantized: number } | null;
  /** ONNX mixed-bit graphs: the MatMuls at a second precision ("int8 on 12 of 169 MatMuls"). */
  secondary?: { dtype: string; bits: number | null; groupSize: number | null; count: number } | null;
  /** ONNX: float type of what is not quantized (embeddings, norms, activations), e.g. `fp16` for a q4f16 file. */
  activations?: string | null;
  /** MatMulNBits with g_idx (act-order GPTQ groups). */
  actOrder?: boolean;
  /** The quantized MatMuls sit inside If/Loop bodies (a merged decoder). */
  inSubgraphs?: boolean;
}

export interface ModelFiles {
  /** The model file(s) inspected, relative to the folder. */
  model: string[];
  externalData: string[];
  configs: string[];
  tokenizer: { present: string[]; missing: string[] };
}

export interface ModelInfo {
  path: string;
  format: ModelFormat;
  weights: WeightsInfo;
  params: number | null;
  sizeBytes: number;
  devices: Record<DeviceProfileId, DeviceVerdict>;
  error?: string;
  /** Display name: the hub repo id, or the folder name. */
  name: string;
  files: ModelFiles;
  /** A large language model (KV-cache inputs, stateful IR, *ForCausalLM): the NPU LLM rules apply. */
  isLlm: boolean;
  hub?: { repo: string; revision: string };
  details: Record<string, unknown>;
  /** Bytes read from disk to inspect this folder (headers only). */
  bytesRead: number;
}

/** A folder the inventory scans: a workspace folder, a configured model root, or the Hugging Face cache. */
export interface InventoryRoot {
  path: string;
  /** Shown as the group name: the workspace folder name, "Hugging Face cache", a model root. */
  label: string;
  kind: 'workspace' | 'modelRoot' | 'hubCache';
}

/** The models found under one root. */
export interface InventoryGroup {
  root: InventoryRoot;
  models: ModelInfo[];
  /** Folders that could not be listed, with the reason. */
  errors: { path: string; error: string }[];
  truncated: boolean;
}
