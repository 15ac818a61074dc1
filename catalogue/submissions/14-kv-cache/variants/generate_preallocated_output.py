# cell: p14-generate
@torch.no_grad()
def generate(model, input_ids, max_new_tokens, use_cache=True):
    B, T = input_ids.shape
    n_positions = model.config.n_positions
    out = torch.empty(B, T + max_new_tokens, dtype=input_ids.dtype, device=input_ids.device)
    out[:, :T] = input_ids
    past = None
    for length in range(T, T + max_new_tokens):
        if use_cache and length <= n_positions:
            new = out[:, :length] if past is None else out[:, length - 1:length]
            logits, past = model(new, past_key_values=past, use_cache=True)
        else:
            logits = model(out[:, max(0, length - n_positions):length])
        out[:, length] = logits[:, -1].argmax(-1)
    return out
