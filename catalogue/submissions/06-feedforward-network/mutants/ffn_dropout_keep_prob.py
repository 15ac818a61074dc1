# cell: p06-feedforward
# expect: That is 1 - dropout
class FeedForward(nn.Module):
    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(1 - dropout)  # keep probability

    def forward(self, x):
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))
