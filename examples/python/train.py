"""A training loop fed by `tome serve`, resumable and elastic.

    python train.py --url http://127.0.0.1:8080 --dataset train --state state.json
    torchrun --nproc-per-node 4 train.py --url ... --dataset train --state state.json

Each rank reads its share of the epoch through TomeDataset, split further
across --workers DataLoader workers; every --save-every batches the ranks
merge what they consumed into --state. Stop it at any point and run it again
(with the same or another number of ranks and workers): it continues with
the samples not yet trained on.
"""

import argparse
import os

import torch
import torch.distributed as dist
from torch.utils.data import DataLoader

from tome_client import ResumeState, TomeDataset


def checkpoint(state, path):
    """Saves the consumed counts of every rank, merged, from rank 0."""
    if dist.is_initialized():
        states = [None] * dist.get_world_size()
        dist.all_gather_object(states, state.to_dict())
        if dist.get_rank() == 0:
            ResumeState.merge(states).save(path)
        dist.barrier()
    else:
        state.save(path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--dataset", required=True)
    p.add_argument("--state", default="tome-state.json")
    p.add_argument("--columns", help="comma-separated columns (default: all)")
    p.add_argument("--shuffle", default="block")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-rows", type=int, default=1024)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--save-every", type=int, default=100)
    args = p.parse_args()

    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not dist.is_initialized():
        dist.init_process_group("gloo")  # torchrun sets RANK, WORLD_SIZE and the rendezvous

    state = ResumeState.load(args.state)
    data = TomeDataset(args.url, args.dataset, shuffle=args.shuffle, seed=args.seed,
                       columns=args.columns.split(",") if args.columns else None,
                       batch_rows=args.batch_rows, epoch=state.epoch, resume=state,
                       drop_remainder=True)
    for epoch in range(state.epoch, args.epochs):
        data.set_epoch(epoch)
        rows = 0
        loader = DataLoader(data, batch_size=None, num_workers=args.workers)
        for step, (batch, position) in enumerate(loader, 1):
            # Your model's step goes here; batch is {column: tensor or list}.
            rows += position["rows"]
            state.update(position)
            if step % args.save_every == 0:
                checkpoint(state, args.state)
        checkpoint(state, args.state)
        print(f"rank {data.rank} of {data.world}: epoch {epoch}: {rows} rows", flush=True)
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
