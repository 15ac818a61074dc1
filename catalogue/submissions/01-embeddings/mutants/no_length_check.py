# cell: p01-embeddings
# expect: should raise ValueError
# expect: raised IndexError
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        return self.drop(self.wte(input_ids) + self.wpe(positions))
