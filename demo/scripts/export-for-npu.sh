#!/usr/bin/env bash
# Export TinyLlama for the Intel NPU in this laptop.
# quant-drift: target=intel-npu-mtl
set -euo pipefail

MODEL=TinyLlama/TinyLlama-1.1B-Chat-v1.0
OUT=models/tinyllama-int4

# INT4 for the NPU... but optimum's int4 default is ASYMMETRIC, and the NPU compiler rejects it.
optimum-cli export openvino \
  --model "$MODEL" \
  --task text-generation-with-past \
  --weight-format int4 \
  --group-size 1 \
  "$OUT"

# Data-aware compression without a dataset fails at export time.
optimum-cli export openvino -m "$MODEL" --weight-format int4 --sym --scale-estimation models/tinyllama-int4-se

# A typo'd flag: optimum takes the output folder positionally.
optimum-cli export openvino --model "$MODEL" --weight-format nf4 --sym --output-dir models/tinyllama-nf4

# The FP16 baseline to compare against is fine as it is.
optimum-cli export openvino --model "$MODEL" --weight-format fp16 models/tinyllama-fp16
