# cell: p01-embeddings
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.p = dropout
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)

    def forward(self, input_ids):
        if input_ids.size(1) > self.n_positions:
            raise ValueError("input_ids is longer than n_positions")
        x = self.wte.weight[input_ids] + self.wpe.weight[: input_ids.size(1)].unsqueeze(0)
        return F.dropout(x, p=self.p, training=self.training)
