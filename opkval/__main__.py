from opkval.cli import main

raise SystemExit(main())
