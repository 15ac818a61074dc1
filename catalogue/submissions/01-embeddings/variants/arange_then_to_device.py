# cell: p01-embeddings
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(p=dropout)

    def forward(self, input_ids):
        if input_ids.shape[1] > self.n_positions:
            raise ValueError(f"Cannot forward sequence of length {input_ids.shape[1]}, block size is {self.n_positions}")
        pos = torch.arange(0, input_ids.shape[1], dtype=torch.long).unsqueeze(0).to(input_ids.device)
        tok_emb = self.wte(input_ids)
        pos_emb = self.wpe(pos)
        return self.drop(tok_emb + pos_emb)
