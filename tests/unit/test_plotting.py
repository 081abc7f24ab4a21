"""Unit tests for helpers.plotting (headless, Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from helpers.plotting import (  # noqa: E402
    LINESTYLES,
    PALETTE,
    plot_decision_boundary,
    plot_learning_curves,
    show,
    use_course_style,
)

OKABE_ITO = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#000000"}


@pytest.fixture(autouse=True)
def _close_figures():
    with matplotlib.rc_context():  # undo any style changes after each test
        yield
    plt.close("all")


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-1, 0.5, (30, 2)), rng.normal(1, 0.5, (30, 2))])
    y = np.repeat([0, 1], 30)
    return X, y


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# --- style --------------------------------------------------------------------


def test_palette_is_okabe_ito():
    assert len(PALETTE) == 8 and {c.lower() for c in PALETTE} == OKABE_ITO


def test_use_course_style_sets_style_and_is_idempotent():
    use_course_style()
    first = dict(matplotlib.rcParams)
    use_course_style()
    assert dict(matplotlib.rcParams) == first
    assert matplotlib.rcParams["figure.dpi"] == 100
    assert matplotlib.rcParams["axes.grid"]
    cycle_colors = [to_hex(c) for c in matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert cycle_colors == [c.lower() for c in PALETTE]


# --- plot_decision_boundary --------------------------------------------------------


def test_decision_boundary_with_labels(blobs):
    X, y = blobs
    ax = plot_decision_boundary(
        lambda G: (G.sum(axis=1) > 0).astype(int), X, y,
        feature_names=("Vdd_min", "freq_max"), class_names=("pass", "fail"), resolution=50, title="screen",
    )
    assert isinstance(ax, plt.Axes)
    assert ax.get_xlabel() == "Vdd_min" and ax.get_ylabel() == "freq_max" and ax.get_title() == "screen"
    assert _legend_texts(ax) == ["pass", "fail", "decision boundary"]
    # Classes differ by marker shape, not only by colour.
    points = [c for c in ax.collections if c.get_label() in ("pass", "fail")]
    shapes = [c.get_paths()[0].vertices for c in points]
    assert len(points) == 2 and (shapes[0].shape != shapes[1].shape or not np.allclose(*shapes))
    assert to_hex(points[0].get_facecolor()[0]) != to_hex(points[1].get_facecolor()[0])


def test_decision_boundary_with_probabilities_adds_colorbar(blobs):
    X, y = blobs
    proba = lambda G: 1 / (1 + np.exp(-G.sum(axis=1)))  # noqa: E731
    ax = plot_decision_boundary(proba, X, y, resolution=40)
    assert len(ax.figure.axes) == 2  # plot + colorbar
    assert ax.get_xlabel() == "x1" and "class 1" in ax.figure.axes[1].get_ylabel()
    # Two-column predict_proba output works too.
    two_columns = lambda G: np.column_stack([1 - proba(G), proba(G)])  # noqa: E731
    plot_decision_boundary(two_columns, X, y, resolution=40)


def test_decision_boundary_accepts_perceptron_labels_and_existing_axes(blobs):
    X, y = blobs
    _, ax = plt.subplots()
    out = plot_decision_boundary(lambda G: np.where(G[:, 0] > 0, 1, -1), X, 2 * y - 1, ax=ax, resolution=30)
    assert out is ax


def test_decision_boundary_pad_sets_the_border():
    X, y = np.array([[0.0, 0.0], [1.0, 2.0]]), np.array([0, 1])
    ax = plot_decision_boundary(lambda G: (G[:, 0] > 0.5).astype(int), X, y, resolution=20, pad=0.5)
    np.testing.assert_allclose(ax.get_xlim(), (-0.5, 1.5))
    np.testing.assert_allclose(ax.get_ylim(), (-1.0, 3.0))


def test_decision_boundary_three_classes():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(45, 2))
    y = np.repeat([0, 1, 2], 15)
    ax = plot_decision_boundary(
        lambda G: np.digitize(G[:, 0], [-0.5, 0.5]), X, y, class_names=("a", "b", "c"), resolution=30
    )
    assert _legend_texts(ax) == ["a", "b", "c", "decision boundary"]


def test_decision_boundary_bad_input(blobs):
    X, y = blobs
    good = lambda G: np.zeros(len(G))  # noqa: E731
    with pytest.raises(ValueError, match=r"\(n, 2\).*\(60, 3\)"):
        plot_decision_boundary(good, np.ones((60, 3)), y)
    with pytest.raises(ValueError, match=r"y must have shape \(60,\)"):
        plot_decision_boundary(good, X, y[:10])
    with pytest.raises(ValueError, match="labels 0 .. 1"):
        plot_decision_boundary(good, X, y + 5)
    with pytest.raises(ValueError, match=r"shape \(100,\).*\(5,\)"):
        plot_decision_boundary(lambda G: np.zeros(5), X, y, resolution=10)
    with pytest.raises(ValueError, match="probabilities in"):
        plot_decision_boundary(lambda G: G[:, 0] * 10, X, y, resolution=10)


# --- plot_learning_curves -----------------------------------------------------------


def test_learning_curves_styles_and_labels():
    history = {"train": [1.0, 0.5, 0.3], "validation": [1.1, 0.7, 0.6, 0.65], "test": np.array([1.2, 0.8])}
    ax = plot_learning_curves(history, title="losses")
    assert isinstance(ax, plt.Axes)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss" and ax.get_title() == "losses"
    assert _legend_texts(ax) == ["train", "validation", "test"]
    lines = ax.get_lines()
    assert len({to_hex(line.get_color()) for line in lines}) == 3
    assert len({line.get_linestyle() for line in lines}) == 3
    np.testing.assert_array_equal(lines[1].get_xdata(), [1, 2, 3, 4])


def test_learning_curves_log_scale_and_custom_labels():
    ax = plot_learning_curves({"accuracy": [0.5, 0.8, 0.9]}, xlabel="iteration", ylabel="accuracy", log_y=True)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "iteration" and ax.get_ylabel() == "accuracy"


def test_learning_curves_many_series_stay_distinguishable():
    ax = plot_learning_curves({f"run {i}": [1.0, 1.0 / (i + 2)] for i in range(len(LINESTYLES) * 2)})
    styles = [(to_hex(line.get_color()), line.get_linestyle()) for line in ax.get_lines()]
    assert len(set(styles)) == len(styles)


def test_learning_curves_bad_input():
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_learning_curves({})
    with pytest.raises(ValueError, match=r"history\['a'\].*1-D.*\(2, 2\)"):
        plot_learning_curves({"a": [[1, 2], [3, 4]]})
    with pytest.raises(ValueError, match="positive"):
        plot_learning_curves({"a": [1.0, 0.0]}, log_y=True)


def test_plots_render_to_png(tmp_path, blobs):
    X, y = blobs
    use_course_style()
    ax = plot_decision_boundary(lambda G: (G[:, 1] > 0).astype(int), X, y, resolution=30)
    ax.figure.savefig(tmp_path / "boundary.png")
    ax = plot_learning_curves({"train": [3.0, 2.0, 1.0]})
    ax.figure.savefig(tmp_path / "curves.png")
    assert (tmp_path / "boundary.png").stat().st_size > 1000
    assert (tmp_path / "curves.png").stat().st_size > 1000


# --- show: alternative text ---------------------------------------------------------


def test_show_displays_a_png_with_its_alt_text_and_closes_the_figure(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    shell = InteractiveShell.instance()
    try:
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        alt = "A falling line from (0, 1) to (1, 0): the loss goes down as training goes on."
        show(alt, fig)
        assert not plt.fignum_exists(fig.number)
        (image,) = shown
        _, metadata = image._repr_png_()
        assert image.data.startswith(b"\x89PNG") and metadata == {"alt": alt}
    finally:
        InteractiveShell.clear_instance()


@pytest.mark.parametrize("alt", [None, "", "a plot", "   " * 30, 42])
def test_show_refuses_missing_or_vague_alt_text(alt):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt must describe the figure"):
        show(alt, fig)


def test_show_refuses_what_is_not_a_figure():
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure, got list"):
        show("A description long enough to pass the length check, of nothing at all.", [1, 2])
