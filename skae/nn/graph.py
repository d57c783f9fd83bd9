"""The neighbour-graph term of a training objective: parametric UMAP beside the reconstruction.

The graph (edges and their fuzzy membership weights) is built outside ``nn`` from the training
rows; here it is sampled at every training step and its edges scored on the codes.
"""

import torch

from .losses import umap_cross_entropy


class NeighborGraphPenalty:
    """An ``Objective`` penalty keeping the data's neighbour graph in the code.

    At every call ``n_edges`` edges are drawn with probability proportional to their
    weight, both ends are encoded (in training mode, as part of the step), and each head is
    also paired with ``negative_rate`` random tails of the drawn edges as negatives; the
    value is ``umap_cross_entropy`` of these pairs. The draws use torch's default
    generator, which the fit seeds (per rank when data-parallel). It runs inside the
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

    @property
    def extra_rows(self):
        """Rows encoded per call: both ends of every drawn edge."""
        return 2 * self.n_edges

    def __call__(self, module, inputs, outputs):
        edges = torch.multinomial(self.weight, self.n_edges, replacement=True)
        rows = torch.cat([self.head[edges], self.tail[edges]])
        z = module.encode(module.normalize(self.data[rows].to(inputs.device)))
        heads, tails = z[:self.n_edges], z[self.n_edges:]
        others = torch.randint(0, self.n_edges, (self.n_edges * self.negative_rate,),
                               device=z.device)
        positive = (heads - tails).pow(2).sum(dim=1)
        # index_select, not tails[others]: its backward adds in a fixed order on any number
        # of threads, where advanced indexing's scatter-add does not (fits would differ).
        negative = (heads.repeat(self.negative_rate, 1)
                    - torch.index_select(tails, 0, others)).pow(2).sum(dim=1)
        return umap_cross_entropy(positive, negative, self.a, self.b)
