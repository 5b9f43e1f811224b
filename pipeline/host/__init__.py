"""The host's tools: the publish gate, the report and its pictures, watch, publish, scaffolding, checks, status,
and normalise and transcribe outside a show."""
