# cell: p14-embeddings
class Embeddings(nn.Module):
    def __init__(self, vocab_size, n_positions, n_embd, dropout):
        super().__init__()
        self.n_positions = n_positions
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(n_positions, n_embd)
        self.drop = nn.Dropout(dropout)

    def forward(self, input_ids, past_length=0):
        B, T = input_ids.shape
        if not past_length + T <= self.n_positions:
            raise ValueError(f"positions up to {past_length + T - 1} but n_positions is {self.n_positions}")
        position_ids = (torch.arange(T, device=input_ids.device) + past_length).unsqueeze(0).expand(B, T)
        return self.drop(self.wte(input_ids) + self.wpe(position_ids))
