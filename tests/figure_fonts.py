"""A test helper: the smallest font a figure prints with in the PDF."""
from matplotlib.figure import Figure
from matplotlib.text import Text

from glo_lib.reporting.display import print_scale


def smallest_font_pt(fig: Figure) -> float:
    """The smallest visible text of ``fig`` in points as printed in the PDF (inf without text)."""
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
             and t.get_window_extent().width > 0]
    return min(sizes, default=float("inf")) * print_scale(fig)
