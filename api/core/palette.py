"""One colour per config, by its place in the report's `configs`: the pages draw with it (every
page carries it, see base.html) and so does the server's plot, so a config keeps its colour from
the experiment's page to its jobs' pages and plot.png."""

# Matplotlib's default cycle (Tableau's ten): the plot drew with it before the pages shared it.
CONFIG_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def config_colour(index: int) -> str:
    """The colour of the config at this place in the report."""
    return CONFIG_COLOURS[index % len(CONFIG_COLOURS)]
