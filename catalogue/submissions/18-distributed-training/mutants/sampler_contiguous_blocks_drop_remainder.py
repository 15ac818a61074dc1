# cell: p18-sampler
# expect: never used
class ShardedSampler(Sampler):
    def __init__(self, dataset_size, rank, world_size, shuffle=True, seed=0, drop_last=False):
        self.dataset_size, self.rank, self.world_size = dataset_size, rank, world_size
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        self.num_samples = dataset_size // world_size

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __iter__(self):
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.dataset_size, generator=g).tolist()
        else:
            order = list(range(self.dataset_size))
        start = self.rank * self.num_samples
        return iter(order[start:start + self.num_samples])

    def __len__(self):
        return self.num_samples
