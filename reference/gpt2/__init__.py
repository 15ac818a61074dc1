"""learn-gpt2's reference GPT-2: the building blocks of the course, one per problem."""
from .config import GPT2Config, count_parameters
from .data import stdlib_text
from .device import default_device
from .model import (
    CausalMultiHeadAttention,
    Embeddings,
    FeedForward,
    GPT2Model,
    KVCache,
    LayerNorm,
    MultiHeadAttention,
    NewGELU,
    ResidualBlock,
    ScaledDotProductAttention,
    SimpleAttention,
    TransformerBlock,
    causal_mask,
)
from .distributed import (
    ShardedSampler, average_gradients, broadcast_parameters, cleanup_distributed, print_rank0,
    save_checkpoint_rank0, setup_distributed, train_step_ddp,
)
from .generation import apply_temperature, generate, sample_next_token, top_k_filter, top_p_filter
from .lora import LoRALinear, apply_lora, load_lora_state_dict, lora_state_dict
from .quantization import (
    Int4Linear, QuantizedEmbedding, QuantizedLinear, dequantize, dequantize_int4, pack_int4, quantize,
    quantize_int4, quantize_model, saved_bytes, state_dict_bytes, unpack_int4,
)
from .tokenizer import load_tokenizer
from .training import (
    evaluate, load_checkpoint, load_token_ids, lm_loss, lr_at, optimizer_groups, save_checkpoint,
    split_windows, train_step,
)

# Every problem's components by name: the tamper guard and the hostile kit find the reference
# component of a problem as gpt2.<name>, so the names are unique across the package.
__all__ = sorted(name for name in dir() if not name.startswith("_") and name not in {
    "config", "data", "device", "model", "distributed", "generation", "lora", "quantization",
    "tokenizer", "training", "pretrained", "testing"})
__version__ = "0.1.0"
