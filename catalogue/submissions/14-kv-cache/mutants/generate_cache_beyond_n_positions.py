# cell: p14-generate
# expect: raised ValueError
@torch.no_grad()
def generate(model, input_ids, max_new_tokens, use_cache=True):
    n_positions = model.config.n_positions
    ids, past = input_ids, None
    for _ in range(max_new_tokens):
        if not use_cache:
            logits = model(ids[:, -n_positions:])
        elif past is None:
            logits, past = model(ids, use_cache=True)
        else:
            logits, past = model(ids[:, -1:], past_key_values=past, use_cache=True)
        ids = torch.cat([ids, logits[:, -1, :].argmax(dim=-1, keepdim=True)], dim=1)
    return ids
