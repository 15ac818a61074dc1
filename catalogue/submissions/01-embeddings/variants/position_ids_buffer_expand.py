# cell: p01-embeddings
class Embeddings(nn.Module):
    """HuggingFace's style: a non-persistent buffer of position ids, expanded to the batch."""

    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)
        self.register_buffer("position_ids", torch.arange(n_positions).unsqueeze(0), persistent=False)

    def forward(self, input_ids):
        batch, seq_len = input_ids.shape
        if seq_len > self.n_positions:
            raise ValueError(f"sequence of {seq_len} tokens is longer than {self.n_positions}")
        position_ids = self.position_ids[:, :seq_len].expand(batch, seq_len)
        hidden = self.wte(input_ids)
        hidden = hidden + self.wpe(position_ids)
        return self.drop(hidden)
