"""Small domain constants shared by computation and presentation (no heavy imports)."""

#: The pasningstilbud in DST's and the ministry's statistics, in display order.
PASNING = ("Dagpleje", "0-2 år", "3-5 år")
