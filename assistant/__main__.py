from creator_assistant.cli import main

raise SystemExit(main())
