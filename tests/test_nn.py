"""The torch world on its own: losses with hand-checked numbers, modules, the loop."""

import math

import pytest
import torch

from skae.nn import Autoencoder, Objective, Trainer, build_mlp, reconstruction_error
from skae.nn.callbacks import EarlyStopping, ProgressBar  # noqa: F401  (no sklearn)


def test_reconstruction_error_by_hand():
    recon = torch.tensor([[1.0, 2.0], [0.0, 0.0]])
    target = torch.tensor([[1.0, 0.0], [3.0, 1.0]])
    # Row 0: (0 + 4) / 2 = 2; row 1: (9 + 1) / 2 = 5.
    assert reconstruction_error(recon, target).tolist() == [2.0, 5.0]


def test_build_mlp_shapes_and_activations():
    net = build_mlp((6, 4, 2), "tanh", "logistic")
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    assert net(torch.zeros(3, 6)).shape == (3, 2)


def test_autoencoder_mirrors_and_normalizes():
    module = Autoencoder.mlp(10, (8, 4), 2)
    assert [m.out_features for m in module.encoder if hasattr(m, "out_features")] == [8, 4, 2]
    assert [m.out_features for m in module.decoder if hasattr(m, "out_features")] == [4, 8, 10]
    x = torch.full((1, 10), 10.0)
    assert module.normalize(x) is x  # the identity map is skipped
    module.set_normalization(torch.full((10,), 2.0), torch.full((10,), 4.0))
    assert not module.is_identity_map
    assert torch.equal(module.normalize(x), torch.full((1, 10), 2.0))
    assert torch.equal(module.denormalize(module.normalize(x)), x)


def test_objective_adds_weighted_penalties_and_corrupts_only_in_training():
    module = Autoencoder.mlp(4, (), 2)
    seen = []

    def penalty(module, inputs, outputs):
        seen.append(inputs.clone())
        return torch.tensor(3.0)

    objective = Objective({"p": (0.5, penalty)}, corruption=lambda x, g: x + 1)
    x = torch.zeros(2, 4)
    terms = objective(module, x, training=True)
    assert torch.allclose(terms["loss"], terms["reconstruction"] + 1.5)
    assert torch.equal(seen[-1], x + 1)
    objective(module, x, training=False)
    assert torch.equal(seen[-1], x)


def _trainer(module, **kwargs):
    optimizer = torch.optim.Adam(module.parameters(), lr=kwargs.pop("lr", 1e-2))
    return Trainer(module, Objective(), optimizer, batch_size=16,
                   generator=torch.Generator().manual_seed(0), **kwargs)


def test_early_stopping_restores_the_best_weights():
    torch.manual_seed(0)
    X, X_valid = torch.rand(128, 6), torch.rand(32, 6)
    module = Autoencoder.mlp(6, (16,), 3)
    trainer = _trainer(module, lr=0.05, callbacks=[EarlyStopping(tol=0.0, n_iter_no_change=5)])
    history = trainer.fit(X, X_valid, max_iter=30)
    best = min(row["valid_loss"] for row in history)
    assert trainer.best_loss == best
    assert trainer.converged and len(history) < 30
    assert trainer.best_epoch == len(history) - 5
    assert math.isclose(trainer.evaluate(X_valid)["loss"], best, rel_tol=1e-5)


def test_divergence_restores_the_last_finite_weights():
    torch.manual_seed(0)
    X = torch.rand(64, 6)
    module = Autoencoder.mlp(6, (16,), 3)
    trainer = _trainer(module)
    trainer.fit(X, max_iter=2)
    good = {k: v.clone() for k, v in module.state_dict().items()}
    trainer.objective = lambda *a, **k: {"loss": torch.tensor(math.nan, requires_grad=True)}
    trainer.fit(X, max_iter=3)
    assert trainer.diverged
    for name, value in module.state_dict().items():
        assert torch.equal(value, good[name])


def test_keyboard_interrupt_keeps_a_usable_model():
    X = torch.rand(64, 6)
    module = Autoencoder.mlp(6, (16,), 3)
    trainer = _trainer(module)

    class InterruptAtEpoch3:
        def on_epoch_end(self, trainer, row):
            if row["epoch"] == 3:
                raise KeyboardInterrupt

    trainer.callbacks.append(InterruptAtEpoch3())
    history = trainer.fit(X, max_iter=10)
    assert trainer.interrupted and len(history) == 3
    assert torch.isfinite(module.encode(X)).all()


def test_stop_flag_ends_training():
    class StopAtEpoch2:
        def on_epoch_end(self, trainer, row):
            trainer.stop_training = row["epoch"] == 2

    module = Autoencoder.mlp(6, (), 2)
    trainer = _trainer(module, callbacks=[StopAtEpoch2()])
    assert len(trainer.fit(torch.rand(40, 6), max_iter=10)) == 2


def test_torch_world_does_not_import_sklearn():
    import ast
    import pathlib

    import skae.nn

    for path in pathlib.Path(skae.nn.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.startswith("sklearn") for n in names), path


@pytest.mark.parametrize("shuffle", [True, False])
def test_run_epoch_sees_every_sample_once(shuffle):
    seen = []

    def objective(module, x, training=False, generator=None):
        seen.append(x.clone())
        loss = (module.encoder[0].weight.sum() * 0) + x.sum() * 0
        return {"loss": loss}

    module = Autoencoder.mlp(3, (), 2)
    X = torch.arange(30, dtype=torch.float32).reshape(10, 3)
    trainer = Trainer(module, objective, torch.optim.SGD(module.parameters(), lr=0.1),
                      batch_size=4, shuffle=shuffle, generator=torch.Generator().manual_seed(0))
    trainer.run_epoch(X)
    rows = torch.cat(seen)
    assert sorted(rows[:, 0].tolist()) == X[:, 0].tolist()
    assert [len(b) for b in seen] == [4, 4, 2]


def test_tuples_of_tensors_are_batched_row_by_row():
    pairs = []

    def objective(module, x, y, training=False, generator=None):
        pairs.append((x[:, 0].clone(), y.clone()))
        return {"loss": module.encoder[0].weight.sum() * 0}

    module = Autoencoder.mlp(3, (), 2)
    X = torch.arange(30, dtype=torch.float32).reshape(10, 3)
    y = torch.arange(10) * 3
    trainer = Trainer(module, objective, torch.optim.SGD(module.parameters(), lr=0.1),
                      batch_size=4, generator=torch.Generator().manual_seed(0))
    trainer.fit((X, y), (X[:4], y[:4]), max_iter=1)
    for x0, labels in pairs:
        assert torch.equal(x0.long(), labels)


def test_row_subset_gathers_its_rows_only():
    from skae.nn.training import RowSubset

    X = torch.arange(20, dtype=torch.float32).reshape(10, 2)
    subset = RowSubset(X, torch.tensor([1, 4, 7]))
    assert subset.shape == (3, 2)
    assert torch.equal(subset[torch.tensor([2, 0])], X[[7, 1]])
    assert torch.equal(subset[0:2], X[[1, 4]])
    module = Autoencoder.mlp(2, (), 1)
    trainer = _trainer(module)
    history = trainer.fit(subset, RowSubset(X, torch.tensor([0, 9])), max_iter=2)
    assert len(history) == 2 and "valid_loss" in history[0]


def test_loading_weights_restores_the_input_map():
    source = Autoencoder.mlp(3, (), 2)
    source.set_normalization(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.0, 2.0, 2.0]))
    target = Autoencoder.mlp(3, (), 2)
    assert target.is_identity_map
    target.load_state_dict(source.state_dict())
    x = torch.ones(1, 3)
    assert torch.equal(target.normalize(x), source.normalize(x))


@pytest.mark.parametrize("n_samples", [1, 7, 8, 9])
@pytest.mark.parametrize("n_ranks", [2, 3])
def test_shard_deals_equal_shares_that_cover_the_order(n_samples, n_ranks):
    from skae.nn.distributed import shard

    order = torch.randperm(n_samples)
    shards = [shard(order, n_ranks, rank) for rank in range(n_ranks)]
    assert len({len(s) for s in shards}) == 1  # the same number of steps on every rank
    assert set(torch.cat(shards).tolist()) == set(order.tolist())
    assert sum(len(s) for s in shards) - n_samples < n_ranks  # wrap-around padding only
    # Step b of b-row batches on every rank covers rows of one (n_ranks * b)-row batch.
    b = 2
    step = torch.cat([s[:b] for s in shards])
    assert set(step.tolist()) == set(order[:n_ranks * b].tolist())



def test_divergence_guard_runs_first_and_skips_later_callbacks():
    seen = []

    class Record:
        def on_epoch_end(self, trainer, row):
            seen.append(trainer.diverged)

    module = Autoencoder.mlp(6, (8,), 2)
    trainer = _trainer(module, callbacks=[EarlyStopping(), Record()])
    trainer.objective = lambda *a, **k: {"loss": torch.tensor(math.nan, requires_grad=True)}
    trainer.fit(torch.rand(32, 6), max_iter=5)
    assert trainer.diverged and not trainer.converged and seen == [True]


def test_random_shift_moves_each_image_by_its_own_offset_repeating_the_edge():
    import numpy as np

    from skae.nn.corruption import random_shift

    images = torch.arange(2 * 4 * 5, dtype=torch.float32).reshape(1, 2, 4, 5).repeat(300, 1, 1, 1)
    x = images.reshape(300, -1)
    before = x.clone()
    generator = torch.Generator().manual_seed(0)
    out = random_shift(x, generator, image_shape=(2, 4, 5), max_shift=(1, 2))
    assert torch.equal(x, before) and out.shape == x.shape
    # Every allowed offset, the edge repeated: np.pad's "edge" mode, then a window.
    padded = np.pad(images[0].numpy(), ((0, 0), (1, 1), (2, 2)), mode="edge")
    windows = {(dy, dx): padded[:, dy:dy + 4, dx:dx + 5].ravel()
               for dy in range(3) for dx in range(5)}
    seen = set()
    for row in out.numpy():
        match = [key for key, window in windows.items() if np.array_equal(row, window)]
        assert len(match) == 1      # channels move together, by one of the 15 offsets
        seen.add(match[0])
    assert seen == set(windows)
    again = random_shift(x, torch.Generator().manual_seed(0), image_shape=(2, 4, 5),
                         max_shift=(1, 2))
    assert torch.equal(out, again)
    assert torch.equal(random_shift(x, generator, image_shape=(2, 4, 5), max_shift=(0, 0)), x)
