from opkval.cli import entry

raise SystemExit(entry())
