"""The neighbour-graph term of a training objective: parametric UMAP beside the reconstruction.

The graph (edges and their fuzzy membership weights) is built outside ``nn`` from the training
rows; here it is sampled at every training step and its edges scored on the codes.
"""

import torch

from .losses import umap_cross_entropy


class NeighborGraphPenalty:
    """An ``Objective`` penalty keeping the data's neighbour graph in the code.

    Each call scores ``n_edges`` edges drawn with probability proportional to their
    weight: both ends are encoded (in training mode, as part of the step), and each head is
    also paired with ``negative_rate`` random tails of the drawn edges as negatives; the
    value is ``umap_cross_entropy`` of these pairs. In training every call draws afresh
    from torch's default generator, which the fit seeds (per rank when data-parallel). In
    evaluation (the module in eval mode: the validation loss that early stopping watches)
    every call scores one fixed draw, made at construction from a generator of its own
    seeded with 0 (the same on every rank): epochs' validation losses then differ by the
    weights alone, not by the sample (fresh draws moved the term by more than an epoch's
    progress, so the stopping rule followed the luck of the draw). It runs inside the
    objective, so data-parallel training synchronises its gradients.

    Parameters
    ----------
    data : Tensor of shape (n_samples, n_features) or RowSubset
        The training rows in the raw input space (``module.normalize`` maps them).
    head, tail : LongTensor or int array of shape (n_graph_edges,)
        Row indices of ``data`` at the two ends of each edge.
    weight : Tensor or array of shape (n_graph_edges,)
        Membership of each edge, in (0, 1].
    a, b : float
        UMAP's curve parameters (see ``umap_cross_entropy``).
    n_edges : int
        Edges drawn per call.
    negative_rate : int, default=5
        Negative pairs per drawn edge.
    """

    def __init__(self, data, head, tail, weight, *, a, b, n_edges, negative_rate=5):
        self.data = data
        self.head = torch.as_tensor(head, dtype=torch.long, device=data.device)
        self.tail = torch.as_tensor(tail, dtype=torch.long, device=data.device)
        self.weight = torch.as_tensor(weight, dtype=torch.float32, device=data.device)
        self.a = a
        self.b = b
        self.n_edges = n_edges
        self.negative_rate = negative_rate
        self._evaluation_draw = self._draw(
            torch.Generator(device=self.weight.device).manual_seed(0), self.weight.device)

    @property
    def extra_rows(self):
        """Rows encoded per call: both ends of every drawn edge."""
        return 2 * self.n_edges

    def __call__(self, module, inputs, outputs):
        if module.training:
            edges, others = self._draw(None, inputs.device)
        else:
            edges, others = self._evaluation_draw
            others = others.to(inputs.device)
        rows = torch.cat([self.head[edges], self.tail[edges]])
        z = module.encode(module.normalize(self.data[rows].to(inputs.device)))
        heads, tails = z[:self.n_edges], z[self.n_edges:]
        positive = (heads - tails).pow(2).sum(dim=1)
        # index_select, not tails[others]: its backward adds in a fixed order on any number
        # of threads, where advanced indexing's scatter-add does not (fits would differ).
        negative = (heads.repeat(self.negative_rate, 1)
                    - torch.index_select(tails, 0, others)).pow(2).sum(dim=1)
        return umap_cross_entropy(positive, negative, self.a, self.b)

    def _draw(self, generator, device):
        """Edges (by weight) and the negatives' positions among them."""
        edges = torch.multinomial(self.weight, self.n_edges, replacement=True,
                                  generator=generator)
        others = torch.randint(0, self.n_edges, (self.n_edges * self.negative_rate,),
                               device=device, generator=generator)
        return edges, others
