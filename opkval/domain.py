"""Small domain constants shared by computation and presentation (no heavy imports)."""

#: The pasningstilbud in DST's and the ministry's statistics, in display order.
PASNING = ("Dagpleje", "0-2 år", "3-5 år")
#: Their names in a table or chart title.
PASNING_NAVN = {"Dagpleje": "Dagpleje", "0-2 år": "Daginstitution 0-2 år",
                "3-5 år": "Daginstitution 3-5 år"}

#: The allocation keys the grant engine can read (opkval.allocation.key_weights), in the
#: order tables and the CLI show them; their names and sources are in config/pulje.yaml.
KEYS = ("age_0_5", "population", "enrolled")

#: Roles a round can have (``runder[].roller`` in config/pulje.yaml); rounds are found by role
#: or id, never by position: the round whose money is only for activities started in a window,
#: and the round whose money requires a local plan.
ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN = "aktivitetsvindue", "lokal_plan"
ROLES = (ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN)

#: A rule's status (opkval.rules), its Danish word, and its severity (higher is worse) for
#: picking a plan's worst status and sorting by it.
#: UAFKLARET ("kan ikke afgøres"): the plan's figures do not allow a verdict (e.g. a cost per
#: participant far above the typical fee, which may hide wages).
#: AFHAENGER ("afhænger af klassifikationen"): the verdict is brud under one reading of an
#: uncertain classification and OK under the other; counted apart everywhere, both readings shown.
OK, UAFKLARET, AFHAENGER, ADVARSEL, BRUD = "ok", "uafklaret", "afhaenger", "advarsel", "brud"
STATUS_DA = {OK: "OK", UAFKLARET: "Kan ikke afgøres", AFHAENGER: "Afhænger af klassifikationen",
             ADVARSEL: "Advarsel", BRUD: "Brud"}
STATUS_RANK = {OK: 1, UAFKLARET: 2, AFHAENGER: 3, ADVARSEL: 4, BRUD: 5}
