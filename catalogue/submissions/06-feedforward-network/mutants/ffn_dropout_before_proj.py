# cell: p06-feedforward
# expect: it seems to act before c_proj, on the hidden layer
class FeedForward(nn.Module):
    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.c_proj(self.dropout(self.act(self.c_fc(x))))
