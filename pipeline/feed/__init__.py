"""The feed: the Podcasting 2.0 namespace as a feedgen extension, its spec data, Apple's rules, the linter."""
