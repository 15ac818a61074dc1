# cell: p01-embeddings
# expect: use >, not >=
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids):
        T = input_ids.shape[1]
        if T >= self.n_positions:
            raise ValueError(f"sequence of {T} tokens is too long")
        positions = torch.arange(T, device=input_ids.device)
        return self.drop(self.wte(input_ids) + self.wpe(positions))
