"""Run by ``torchrun`` in tests/test_distributed.py: fit estimators in a process group and
save what each rank ended with, for the test to compare across ranks.

Usage: torchrun --nproc_per_node=N tests/ddp_worker.py OUT_DIR CASE
"""

import json
import sys
from pathlib import Path

# Each case: the estimator to fit on the first 1400 digits, and what to fit it on.
N_TRAIN = 1400
COMMON = {"hidden_layer_sizes": (32,), "latent_dim": 8, "batch_size": 64, "max_iter": 40,
          "early_stopping": True, "random_state": 0}


def build(case):
    """The estimator of ``case`` (the same code builds the single-process reference)."""
    from skae import (AutoencoderClassifier, AutoencoderOutlierDetector,
                      AutoencoderTransformer, ContractiveAutoencoder, DeepEmbeddedClustering,
                      DenoisingAutoencoder, SparseAutoencoder, VariationalAutoencoder)

    small = {**COMMON, "max_iter": 5}
    return {
        # The textbook recipe: batch norm and the neighbour-graph term see each rank's
        # shard on its own, so only without them does a two-rank fit match one process's
        # to float rounding. The other cases keep the default (features) recipe.
        "plain": lambda: AutoencoderTransformer(**COMMON, manifold_weight=0.0,
                                                latent_norm=None, hidden_norm=None,
                                                noise=None),
        "unseeded": lambda: AutoencoderTransformer(**{**small, "random_state": None}),
        "denoising": lambda: DenoisingAutoencoder(**small),
        "sparse": lambda: SparseAutoencoder(**{**small, "hidden_layer_sizes": (64,)}),
        "outlier": lambda: AutoencoderOutlierDetector(AutoencoderTransformer(**small)),
        "contractive": lambda: ContractiveAutoencoder(**small),
        "variational": lambda: VariationalAutoencoder(**small),
        "classifier": lambda: AutoencoderClassifier(AutoencoderTransformer(**small),
                                                    max_iter=3, random_state=0),
        # The refinement is what trains across ranks; the k-means start spares each rank
        # numba's compilation of UMAP for the manifold start (about 20 s of this test).
        "clustering": lambda: DeepEmbeddedClustering(AutoencoderTransformer(**small),
                                                     n_clusters=10, max_iter=3, init="k-means",
                                                     random_state=0),
        # Plain DEC leaves the decoder out of the loss: a part that never gets a gradient.
        "clustering_dec": lambda: DeepEmbeddedClustering(
            AutoencoderTransformer(**small), n_clusters=10, max_iter=3,
            reconstruction_weight=0.0, init="k-means", random_state=0),
    }[case]()


def _stop_on_rank0_at_epoch_2(X):
    """A Trainer whose callback stops training on rank 0 only; returns its history."""
    import torch
    import torch.distributed as dist

    from skae.nn import Autoencoder, Objective, Trainer

    class StopOnRank0:
        def on_epoch_end(self, trainer, row):
            if dist.get_rank() == 0 and row["epoch"] == 2:
                trainer.stop_training = True

    torch.manual_seed(0)
    module = Autoencoder.mlp(X.shape[1], (16,), 4)
    trainer = Trainer(module, Objective(), torch.optim.Adam(module.parameters()), batch_size=64,
                      generator=torch.Generator().manual_seed(0), callbacks=[StopOnRank0()])
    return trainer.fit(torch.as_tensor(X, dtype=torch.float32), max_iter=10)


def main(out_dir, cases):
    import numpy as np
    import torch
    import torch.distributed as dist

    from skae.datasets import load_digits
    from skae.nn.distributed import exit_torchrun_process
    from skae.nn.training import Trainer

    dist.init_process_group("gloo")
    rank = dist.get_rank()
    X, y = load_digits()
    y_few = np.where(np.arange(len(y)) % 10 == 0, y, -1)  # one label in ten
    rows_seen = []
    train_step = Trainer.train_step

    def counting_train_step(self, batch):
        rows_seen[-1] += batch[0].shape[0]
        return train_step(self, batch)

    Trainer.train_step = counting_train_step
    report = {"rank": rank, "world_size": dist.get_world_size(),
              "threads": torch.get_num_threads()}
    for case in cases:
        rows_seen.append(0)
        if case == "rank0_alone":
            from skae import local_training

            if rank == 0:  # rank 1 goes straight on: nothing may wait for it
                with local_training():
                    report[case] = {"n_iter": build("unseeded").fit(X[:200]).n_iter_}
            continue
        if case == "unseeded_twice":
            # Two unseeded fits in a row: two different models, each the same on every rank.
            first, second = (build("unseeded").fit(X[:N_TRAIN]) for _ in range(2))
            torch.save(second.module_.state_dict(), Path(out_dir) / f"{case}-weights{rank}.pt")
            report[case] = {"differ": not np.array_equal(first.transform(X[N_TRAIN:]),
                                                         second.transform(X[N_TRAIN:]))}
            continue
        if case == "stop_on_one_rank":
            report[case] = {"epochs": len(_stop_on_rank0_at_epoch_2(X[:N_TRAIN]))}
            continue
        if case == "mismatched_data":
            estimator = build("plain")
            try:
                estimator.fit(X[:N_TRAIN - rank])  # rank 1 holds one row fewer
            except ValueError as exc:
                report[case] = {"error": str(exc)}
            continue
        estimator = build(case)
        estimator.fit(X[:N_TRAIN], y_few[:N_TRAIN])
        module = getattr(estimator, "module_", None)
        module = estimator.estimator_.module_ if module is None else module
        torch.save(module.state_dict(), Path(out_dir) / f"{case}-weights{rank}.pt")
        report[case] = {"rows_seen": rows_seen[-1],
                        "n_iter": getattr(estimator, "n_iter_", None),
                        "history": getattr(estimator, "history_", None)}
        if case == "plain":
            report[case]["test_error"] = float(-estimator.score(X[N_TRAIN:]))
    (Path(out_dir) / f"report{rank}.json").write_text(json.dumps(report))
    dist.barrier()  # leave together: see skae.nn.distributed.torchrun_process_group
    dist.destroy_process_group()
    exit_torchrun_process()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2].split(","))
