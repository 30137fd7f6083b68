/**
 * Device verdicts for a model: the recipe rules (src/core/recipe, through ./rules) applied to the Recipe
 * recovered from the model files, plus checks only a model has (which runtime can load the format, and
 * whether an unquantized or INT8 LLM IR is outside the NPU recipe). Severity maps error -> no, warning -> warn.
 * Sources: DOMAIN-REFERENCE.md §2, §3.4-3.6, §5; every reason names its source.
 */
import { DEVICE_PROFILE_IDS, DEVICE_PROFILES, type DeviceProfileId } from '../devices/profiles';
import type { Recipe } from '../recipe/types';
import type { EvaluateRecipe } from './rules';
import type { DeviceVerdict, ModelFormat, ModelInfo, Verdict } from '../../protocol/models';

type Subject = Pick<ModelInfo, 'format' | 'weights' | 'isLlm' | 'error'> & { matMulNBits?: boolean };

const RANK: Record<Verdict, number> = { ok: 0, warn: 1, no: 2 };

class VerdictBuilder {
  verdict: Verdict = 'ok';
  readonly reasons: string[] = [];
  readonly rules: string[] = [];
  /** Set by the Intel NPU format check: the verdict predicts this recipe exported to OpenVINO IR. */
  asExport = false;
  add(verdict: Verdict, reason: string, rule?: string): void {
    if (RANK[verdict] > RANK[this.verdict]) this.verdict = verdict;
    this.reasons.push(reason);
    if (rule && !this.rules.includes(rule)) this.rules.push(rule);
  }
  build(): DeviceVerdict {
    const verdict: DeviceVerdict =
      this.rules.length > 0
        ? { verdict: this.verdict, reasons: this.reasons, rules: this.rules }
        : { verdict: this.verdict, reasons: this.reasons };
    // Only when the format is the one thing against it: then the warn means "fits, once exported", not a defect.
    if (this.asExport && this.verdict === 'warn' && this.reasons.length === 1) verdict.asExport = 'openvino-ir';
    return verdict;
  }
}

/**
 * The words every surface uses for a device verdict (model tree, its tooltips, Make INT4 Twin's recipe picker,
 * Lint Recipe), so they cannot disagree.
 */
export function verdictWords(verdict: DeviceVerdict): string {
  if (verdict.asExport) return 'recipe fits; the NPU runs it as OpenVINO IR';
  return { ok: 'runs', warn: 'outside the recipe', no: 'will not run' }[verdict.verdict];
}

/** The optimum-cli flags that reproduce an INT4 recipe (huggingface/optimum-intel docs/source/openvino/export.mdx). */
function optimumFlags(weights: Subject['weights']): string {
  const group =
    weights.groupSize === -1 ? ' --group-size -1' : weights.groupSize ? ` --group-size ${weights.groupSize}` : '';
  return `--weight-format int4 ${weights.sym === false ? '' : '--sym '}${group.trim()} --ratio 1.0`.replace(/ +/g, ' ');
}

const isQuantized = (dtype: string): boolean => /^(u?int\d|nf4|mxfp4|cb4|bnb-|Q\d|IQ|TQ)/i.test(dtype);

/** Which runtime each device family uses, and whether it loads this format (model-only check). */
function formatCheck(format: ModelFormat, target: DeviceProfileId, subject: Subject, out: VerdictBuilder): void {
  const family = DEVICE_PROFILES[target].family;
  if (format === 'unknown') {
    out.add('warn', 'No model file this extension can read was found, so nothing is known about this device.');
    return;
  }
  if (format === 'safetensors') {
    if (family === 'cpu' || family === 'gpu') out.add('ok', 'A PyTorch checkpoint: runs with transformers.');
    else
      out.add(
        'warn',
        `A source checkpoint, not a ${runtimeOf(family)} model: export it first (for Intel NPU: optimum-cli export openvino --weight-format int4 --sym --ratio 1.0 --group-size 128 or -1, per the OpenVINO GenAI NPU guide).`,
      );
    return;
  }
  if (format === 'gguf') {
    if (family === 'cpu' || family === 'gpu') out.add('ok', 'GGUF runs with llama.cpp.');
    else
      out.add(
        'no',
        `GGUF is llama.cpp's format; the ${runtimeOf(family)} path for this device does not load it. Export the original checkpoint instead.`,
        'model-format',
      );
    return;
  }
  if (family === 'apple-npu') {
    out.add(
      'no',
      'The Apple Neural Engine runs Core ML models; convert this model with coremltools first (coremltools.optimize.coreml for 4/8-bit weights).',
      'model-format',
    );
    return;
  }
  if (family === 'qualcomm-npu') {
    if (format === 'openvino-ir')
      out.add('no', 'An OpenVINO IR; the Hexagon NPU runs ONNX models through ONNX Runtime QNN.', 'model-format');
    else if (subject.matMulNBits)
      out.add(
        'warn',
        "MatMulNBits is an ONNX Runtime contrib op; QNN consumes standard int4 QDQ, and the Microsoft recipe converts it with Olive's MatMulNBitsToQDQ pass (microsoft/olive-recipes qwen2_5_qnn_config.json).",
        'model-format',
      );
    else if (!isQuantized(subject.weights.dtype))
      out.add(
        'warn',
        'Unquantized: the Hexagon NPU runs quantized QDQ models (the Microsoft recipe quantizes to A16/W8 static QDQ, microsoft/olive-recipes qwen2_5_qnn_config.json).',
        'model-format',
      );
    return;
  }
  if (family === 'intel-npu' && format !== 'openvino-ir') {
    if (subject.weights.dtype === 'int4') {
      // An ONNX INT4 twin stands for its recipe: what it predicts is the same weights exported to IR.
      out.asExport = true;
      out.add(
        'warn',
        `A prediction for this recipe exported to OpenVINO IR (optimum-cli export openvino ${optimumFlags(subject.weights)}): the Intel NPU LLM guide runs IR, not this ONNX file, so its drift measured here stands for that export.`,
        'model-format',
      );
    } else
      out.add(
        'warn',
        "The Intel NPU LLM guide covers OpenVINO IR exported with optimum-cli; an ONNX model goes through OpenVINO's ONNX reader or the ORT OpenVINO EP, outside that recipe.",
        'model-format',
      );
  }
}

function runtimeOf(family: string): string {
  return (
    (
      {
        'intel-npu': 'OpenVINO',
        'qualcomm-npu': 'ONNX Runtime QNN',
        'apple-npu': 'Core ML',
        cpu: 'CPU',
        gpu: 'GPU',
      } as Record<string, string>
    )[family] ?? family
  );
}

/**
 * INT4 whose symmetry the files do not record (u4 weights, no NNCF rt_info, no openvino_config.json): the rule
 * engine cannot judge what it cannot see, but asymmetric INT4 is the known NPU compiler failure.
 * (INT8 and FP16 LLMs on NPU are the engine's npu-undocumented-precision rule.)
 */
function npuUnknownSymmetry(target: DeviceProfileId, subject: Subject, out: VerdictBuilder): void {
  if (DEVICE_PROFILES[target].family !== 'intel-npu' || !subject.isLlm) return;
  if (subject.weights.dtype === 'int4' && subject.weights.sym === null) {
    out.add(
      'warn',
      'INT4 weights whose symmetry is not recorded (no NNCF rt_info or openvino_config.json): asymmetric INT4 fails to compile on Intel NPU (openvinotoolkit/openvino#34450).',
      'npu-asymmetric-int4',
    );
  }
}

function severityVerdict(severity: string): Verdict | null {
  return severity === 'error' ? 'no' : severity === 'warning' ? 'warn' : null;
}

export function deviceVerdicts(
  subject: Subject,
  recipe: Recipe | null,
  evaluate: EvaluateRecipe,
): Record<DeviceProfileId, DeviceVerdict> {
  const result = {} as Record<DeviceProfileId, DeviceVerdict>;
  for (const target of DEVICE_PROFILE_IDS) {
    const out = new VerdictBuilder();
    if (subject.error) {
      out.add('no', `Cannot read the model: ${subject.error}`);
      result[target] = out.build();
      continue;
    }
    formatCheck(subject.format, target, subject, out);
    if (recipe) {
      for (const finding of evaluate(recipe, target)) {
        const verdict = severityVerdict(finding.severity);
        if (verdict) out.add(verdict, finding.message, finding.rule);
      }
    }
    npuUnknownSymmetry(target, subject, out);
    if (out.reasons.length === 0) out.add('ok', okReason(target, subject));
    result[target] = out.build();
  }
  return result;
}

function okReason(target: DeviceProfileId, subject: Subject): string {
  const family = DEVICE_PROFILES[target].family;
  if (family === 'intel-npu' && subject.isLlm) return 'Matches the Intel NPU LLM recipe (symmetric 4-bit weights).';
  if (family === 'cpu') return 'CPUs run every precision here.';
  return 'No rule in the reference flags this model for this device.';
}
