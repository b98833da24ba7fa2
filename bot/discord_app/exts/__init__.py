"""Discord extensions (cogs): thin adapters from slash commands to the core Newsroom."""
