"""Plotting in one consistent, colour-blind-safe course style.

Colours come from the Okabe-Ito palette, and nothing is told apart by colour
alone: classes also get different markers, curves different line styles.
The functions draw on a given matplotlib ``Axes`` (or a new one), return it
and never call ``plt.show()``, so they also work headless (Agg backend).
Notebooks display a finished figure with :func:`show`, which attaches the
alternative text (what the figure shows and what to notice) that screen readers,
JupyterLab and the course website read from the output's metadata.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.colors import LinearSegmentedColormap, ListedColormap, to_rgb
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

__all__ = [
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "plot_decision_boundary",
    "plot_learning_curves",
    "show",
    "use_course_style",
]

#: Okabe-Ito colour-blind-safe colours (blue, vermillion, bluish green,
#: orange, reddish purple, sky blue, yellow, black), most distinct first.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: Marker of class k in scatter plots.
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
#: Line style of series k in line plots.
LINESTYLES = ["-", "--", "-.", ":"]

_RC = {
    "figure.dpi": 100,
    "figure.figsize": (6.4, 4.4),
    "figure.autolayout": True,  # tight layout: no clipped axis labels
    "axes.grid": True,
    "grid.alpha": 0.4,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.framealpha": 0.9,
    "lines.linewidth": 2.0,
    "image.cmap": "cividis",
}


def use_course_style():
    """Switch matplotlib and seaborn to the course style.

    White grid, readable font sizes, the ``PALETTE`` colour cycle, figure
    dpi 100.  Calling it again changes nothing (idempotent).
    """
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, rc=_RC)


def _light(color, amount=0.75):
    """``color`` mixed with white (amount 0 = unchanged, 1 = white)."""
    return tuple(c + (1.0 - c) * amount for c in to_rgb(color))


def plot_decision_boundary(
    predict,
    X,
    y,
    ax=None,
    feature_names=("x1", "x2"),
    class_names=("class 0", "class 1"),
    resolution=200,
    title=None,
    pad=0.05,
):
    """Show the regions a classifier assigns to each class, with the data.

    Parameters
    ----------
    predict : callable
        ``predict(grid)`` with ``grid`` of shape (resolution**2, 2) returns
        shape (resolution**2,): class labels 0 .. K-1, or for two classes
        the probability of class 1 (shape (k, 1) or (k, 2) is accepted too).
    X : array_like of float, shape (n, 2)
        The points to draw.
    y : array_like of int, shape (n,)
        Their labels, 0 .. K-1 with K = ``len(class_names)``.  For two
        classes, -1 / +1 labels (perceptron convention) are accepted too,
        also as the output of ``predict``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if None.
    feature_names : pair of str
        Axis labels.
    class_names : sequence of str
        Legend entry of each class (K <= 8).
    resolution : int, default 200
        Grid points per axis.
    title : str, optional
    pad : float, default 0.05
        Border around the data, as a fraction of its range on each axis.

    Returns
    -------
    matplotlib Axes
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    n_classes = len(class_names)
    if n_classes == 2:  # also accept the perceptron's -1/+1 labels
        y = np.where(y == -1, 0, y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2), got {X.shape}")
    if y.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},) to match X, got {y.shape}")
    if not 2 <= n_classes <= len(MARKERS):
        raise ValueError(f"class_names must name 2 to {len(MARKERS)} classes, got {n_classes}")
    if not set(np.unique(y).tolist()) <= set(range(n_classes)):
        raise ValueError(f"y must hold labels 0 .. {n_classes - 1}, got values {np.unique(y).tolist()}")
    if int(resolution) < 2:
        raise ValueError(f"resolution must be >= 2, got {resolution}")
    if ax is None:
        _, ax = plt.subplots()

    # Grid covering the data with a border of `pad` times its range.
    low, high = X.min(axis=0), X.max(axis=0)
    pad = float(pad) * np.where(high > low, high - low, 1.0)
    g1, g2 = np.meshgrid(*(np.linspace(low[j] - pad[j], high[j] + pad[j], int(resolution)) for j in range(2)))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    Z = _grid_output(predict(grid), len(grid)).reshape(g1.shape)
    if n_classes == 2:
        Z = np.where(Z == -1, 0.0, Z)

    colors = [PALETTE[k] for k in range(n_classes)]
    is_labels = np.all(np.isin(Z, np.arange(n_classes)))
    if is_labels:
        levels = np.arange(n_classes + 1) - 0.5
        ax.contourf(g1, g2, Z, levels=levels, cmap=ListedColormap([_light(c) for c in colors]))
        boundary_levels = levels[1:-1]
    else:
        if n_classes != 2 or Z.min() < 0 or Z.max() > 1:
            raise ValueError("predict must return labels 0 .. K-1, or probabilities in [0, 1] for two classes")
        cmap = LinearSegmentedColormap.from_list("course", [_light(colors[0]), "white", _light(colors[1])])
        filled = ax.contourf(g1, g2, Z, levels=np.linspace(0, 1, 11), cmap=cmap)
        ax.figure.colorbar(filled, ax=ax, label=f"P({class_names[1]})")
        boundary_levels = [0.5]
    crossed = [level for level in boundary_levels if Z.min() < level < Z.max()]
    if crossed:  # else the whole grid is one class: no boundary to draw
        ax.contour(g1, g2, Z, levels=crossed, colors="black", linewidths=1.5)

    for k in range(n_classes):
        mask = y == k
        ax.scatter(
            X[mask, 0], X[mask, 1], marker=MARKERS[k], color=colors[k], edgecolors="black",
            linewidths=0.5, s=36, label=class_names[k], zorder=3,
        )
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color="black", linewidth=1.5, label="decision boundary"))
    ax.legend(handles=handles, loc="best")
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    if title is not None:
        ax.set_title(title)
    return ax


def _grid_output(Z, n):
    """Check ``predict``'s output on the grid; return it as a float array (n,)."""
    Z = np.asarray(Z, dtype=np.float64)
    if Z.ndim == 2 and Z.shape[1] in (1, 2):
        Z = Z[:, -1]  # column of class 1 (or the only column)
    if Z.shape != (n,):
        raise ValueError(f"predict(grid) must return shape ({n},) for a grid of {n} points, got {Z.shape}")
    if not np.all(np.isfinite(Z)):
        raise ValueError("predict(grid) returned NaN or inf")
    return Z


def plot_learning_curves(history, ax=None, xlabel="epoch", ylabel="loss", title=None, log_y=False):
    """Plot one or more training curves, e.g. training and validation loss.

    Parameters
    ----------
    history : dict of str -> sequence of float
        Series name -> values, one per epoch (plotted at x = 1, 2, ...).
        Series may differ in length; NaN values leave gaps.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if None.
    xlabel, ylabel : str
        Axis labels.
    title : str, optional
    log_y : bool, default False
        Logarithmic y axis (all values must then be > 0).

    Returns
    -------
    matplotlib Axes
    """
    if not hasattr(history, "items") or len(history) == 0:
        raise ValueError(f"history must be a non-empty dict of name -> sequence, got {history!r:.80}")
    series = {}
    for name, values in history.items():
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"history[{name!r}] must be a non-empty 1-D sequence, got shape {values.shape}")
        if log_y and np.any(values[~np.isnan(values)] <= 0):
            raise ValueError(f"log_y=True needs positive values, but history[{name!r}] has values <= 0")
        series[name] = values
    if ax is None:
        _, ax = plt.subplots()

    for i, (name, values) in enumerate(series.items()):
        color, style = PALETTE[i % len(PALETTE)], LINESTYLES[i % len(LINESTYLES)]
        ax.plot(np.arange(1, len(values) + 1), values, color=color, linestyle=style, label=str(name))
    if log_y:
        ax.set_yscale("log")
        plain = FuncFormatter(lambda value, _: f"{value:g}")  # 0.2 rather than 2x10^-1
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(plain)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    if title is not None:
        ax.set_title(title)
    return ax



#: Shortest alternative text :func:`show` accepts (a few words are never enough).
MIN_ALT_LENGTH = 40


def show(alt, fig=None):
    """Display ``fig`` inline as a PNG with alternative text, then close it.

    Parameters
    ----------
    alt : str
        What the figure shows and what to notice, in one or two sentences
        (at least ``MIN_ALT_LENGTH`` characters).  Stored in the output's
        metadata (``{"image/png": {"alt": alt}}``), where JupyterLab, nbconvert
        and the course website find it.
    fig : matplotlib Figure, optional
        The figure to show; the current figure if None.

    Returns
    -------
    None.  Outside IPython the figure is only closed.
    """
    if not isinstance(alt, str) or len(" ".join(alt.split())) < MIN_ALT_LENGTH:
        raise ValueError(f"alt must describe the figure in at least {MIN_ALT_LENGTH} characters "
                         f"(what it shows and what to notice), got {alt!r}")
    fig = plt.gcf() if fig is None else fig
    if not hasattr(fig, "savefig"):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import print_figure
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - IPython is installed with JupyterLab
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Image(data=print_figure(fig, "png"), format="png", alt=" ".join(alt.split())))
    plt.close(fig)
