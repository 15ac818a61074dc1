"""learn-gpt2's reference GPT-2: the building blocks of the course, one per problem."""
from .config import GPT2Config, count_parameters
from .data import stdlib_text
from .device import default_device
from .model import (
    CausalMultiHeadAttention,
    Embeddings,
    FeedForward,
    GPT2Model,
    LayerNorm,
    MultiHeadAttention,
    NewGELU,
    ResidualBlock,
    ScaledDotProductAttention,
    SimpleAttention,
    TransformerBlock,
)
from .lora import LoRALinear, apply_lora, load_lora_state_dict, lora_state_dict
from .tokenizer import load_tokenizer

__all__ = [
    "CausalMultiHeadAttention", "Embeddings", "FeedForward", "GPT2Config", "GPT2Model",
    "LayerNorm", "LoRALinear", "MultiHeadAttention", "NewGELU", "ResidualBlock", "ScaledDotProductAttention",
    "SimpleAttention", "TransformerBlock", "apply_lora", "count_parameters", "default_device", "load_lora_state_dict", "load_tokenizer", "lora_state_dict", "stdlib_text",
]
__version__ = "0.1.0"
