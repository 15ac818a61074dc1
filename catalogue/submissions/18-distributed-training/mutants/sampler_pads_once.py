# cell: p18-sampler
# expect: the ranks get
class ShardedSampler(Sampler):
    def __init__(self, dataset_size, rank, world_size, shuffle=True, seed=0, drop_last=False):
        self.dataset_size, self.rank, self.world_size = dataset_size, rank, world_size
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        if drop_last:
            self.num_samples = dataset_size // world_size
        else:
            self.num_samples = math.ceil(dataset_size / world_size)
        self.total_size = self.num_samples * world_size

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __iter__(self):
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.dataset_size, generator=g).tolist()
        else:
            order = list(range(self.dataset_size))
        order += order[:self.total_size - len(order)]
        order = order[:self.total_size]
        return iter(order[self.rank::self.world_size])

    def __len__(self):
        return len(list(iter(self)))
