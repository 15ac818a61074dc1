# cell: p18-sampler
class ShardedSampler(Sampler):
    def __init__(self, dataset_size, rank, world_size, shuffle=True, seed=0, drop_last=False):
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} not in [0, {world_size})")
        self.n, self.rank, self.world = dataset_size, rank, world_size
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.epoch = 0
        per_rank = dataset_size // world_size if drop_last else -(-dataset_size // world_size)
        self.per_rank = per_rank

    def set_epoch(self, epoch):
        self.epoch = epoch

    def _order(self):
        if not self.shuffle:
            return torch.arange(self.n)
        return torch.randperm(self.n, generator=torch.Generator().manual_seed(self.seed + self.epoch))

    def __iter__(self):
        order = self._order()
        total = self.per_rank * self.world
        if total > self.n and self.n > 0:
            order = order.repeat(-(-total // self.n))
        order = order[:total]
        block = order[self.rank * self.per_rank:(self.rank + 1) * self.per_rank]
        return iter(block.tolist())

    def __len__(self):
        return self.per_rank
