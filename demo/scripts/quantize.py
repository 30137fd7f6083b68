"""Weight compression from Python, as in the optimum-intel docs."""
import nncf
from optimum.intel import OVModelForCausalLM, OVWeightQuantizationConfig

model_id = "TinyLlama/TinyLlama-1.1B-Chat-v1.0"

# Asymmetric INT4 with a ratio below 1: two problems for an Intel NPU.
config = OVWeightQuantizationConfig(bits=4, sym=False, group_size=128, ratio=0.8)
model = OVModelForCausalLM.from_pretrained(model_id, export=True, quantization_config=config)
model.save_pretrained("models/tinyllama-ov-int4")

# The same mistake through NNCF directly.
compressed = nncf.compress_weights(model.model, mode=nncf.CompressWeightsMode.INT4_ASYM, group_size=128)
