"""Small domain constants shared by computation and presentation (no heavy imports)."""

#: The pasningstilbud in DST's and the ministry's statistics, in display order.
PASNING = ("Dagpleje", "0-2 år", "3-5 år")

#: A rule's status (opkval.rules), its Danish word, and its severity (higher is worse) for
#: picking a plan's worst status and sorting by it.
OK, ADVARSEL, BRUD = "ok", "advarsel", "brud"
STATUS_DA = {OK: "OK", ADVARSEL: "Advarsel", BRUD: "Brud"}
STATUS_RANK = {OK: 1, ADVARSEL: 2, BRUD: 3}
