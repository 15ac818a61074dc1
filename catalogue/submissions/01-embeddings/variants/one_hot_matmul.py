# cell: p01-embeddings
class Embeddings(nn.Module):
    """Embedding as the textbook defines it: a one-hot vector times the table."""

    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.vocab_size = vocab_size
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids):
        T = input_ids.shape[-1]
        if T > self.n_positions:
            raise ValueError("too long")
        one_hot = F.one_hot(input_ids, self.vocab_size).to(self.wte.weight.dtype)
        return self.drop(one_hot @ self.wte.weight + self.wpe.weight[:T])
