"""Small domain constants shared by computation and presentation (no heavy imports)."""

#: The pasningstilbud in DST's and the ministry's statistics, in display order.
PASNING = ("Dagpleje", "0-2 år", "3-5 år")
#: Their names in a table or chart title.
PASNING_NAVN = {"Dagpleje": "Dagpleje", "0-2 år": "Daginstitution 0-2 år",
                "3-5 år": "Daginstitution 3-5 år"}

#: The allocation keys the grant engine can read (opkval.engine.allocation.key_weights), in the
#: order tables and the CLI show them; their names and sources are in config/pulje.yaml.
KEYS = ("age_0_5", "population", "enrolled")

#: Roles a round can have (``runder[].roller`` in config/pulje.yaml); rounds are found by role
#: or id, never by position: the round whose money is only for activities started in a window,
#: and the round whose money requires a local plan.
ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN = "aktivitetsvindue", "lokal_plan"
ROLES = (ROLE_AKTIVITETSVINDUE, ROLE_LOKAL_PLAN)

#: A rule's status (opkval.engine.rules), its Danish word, and its severity (higher is worse) for
#: picking a plan's worst status and sorting by it.
#: UAFKLARET ("kan ikke afgøres"): the plan's figures do not allow a verdict (e.g. a cost per
#: participant far above the typical fee, which may hide wages).
#: AFHAENGER ("afhænger af klassifikationen"): the verdict is brud under one reading of an
#: uncertain classification and OK under the other; counted apart everywhere, both readings shown.
OK, UAFKLARET, AFHAENGER, ADVARSEL, BRUD = "ok", "uafklaret", "afhaenger", "advarsel", "brud"
STATUS_DA = {OK: "OK", UAFKLARET: "Kan ikke afgøres", AFHAENGER: "Afhænger af klassifikationen",
             ADVARSEL: "Advarsel", BRUD: "Brud"}
STATUS_RANK = {OK: 1, UAFKLARET: 2, AFHAENGER: 3, ADVARSEL: 4, BRUD: 5}

#: The analysis's sections by id, in the order the analysis shows them
#: (opkval.sections.present_bilag maps each to its function). A plan's ``notat: i_bilag`` moves
#: sections into the bilag and ``notat: udelad`` leaves them out; both are checked against these
#: ids.
SECTION_IDS = ("titel", "indledning", "hovedpunkter", "kort_fortalt", "baggrund", "tilskud",
               "tilskud_graf", "plan_penge", "plan_graf", "siden_sidst", "indsatser",
               "fordeling", "regler", "klassifikation", "kaede", "tjekliste", "egne_afsnit",
               "indstilling", "personale", "personale_graf", "sammenlignelige",
               "normering_graf", "planens_effekt", "muligheder", "metode_personale",
               "noeglekontrol", "forbehold")
#: Sections a plan cannot move into the bilag (the analysis's title) or leave out (the title,
#: and the data basis and caveats every estimate rests on).
SECTIONS_FIXED_IN_ANALYSE = ("titel",)
SECTIONS_REQUIRED = ("titel", "forbehold")
