"""`python -m teams_sip` is the same CLI as the `teams-sip` console script."""

from teams_sip.entrypoints.cli import main

raise SystemExit(main())
