"""The feed: the RSS feed built with feedgen, its JSON chapters file, the Podcasting 2.0 namespace
as a feedgen extension, its spec data, Apple's rules, the linter and its rules."""
