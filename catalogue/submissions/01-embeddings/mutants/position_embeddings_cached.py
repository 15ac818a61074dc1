# cell: p01-embeddings
# expect: from before the weights changed
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)
        self.pos_emb = None

    def forward(self, input_ids):
        T = input_ids.shape[1]
        if T > self.n_positions:
            raise ValueError("sequence too long")
        if self.pos_emb is None:  # look up all position vectors once, then reuse them
            self.pos_emb = self.wpe(torch.arange(self.n_positions, device=input_ids.device))
        return self.drop(self.wte(input_ids) + self.pos_emb[:T])
