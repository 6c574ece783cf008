from opkval.app.cli import entry

raise SystemExit(entry())
