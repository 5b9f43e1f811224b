"""The pipeline's exceptions: one base, a few kinds a caller can tell apart."""


class PipelineError(Exception):
    """Anything the pipeline reports to a host instead of a traceback."""


class ConfigError(PipelineError):
    """A podcast.toml or episode.toml that cannot be used; the message names file and field."""


class MissingToolError(PipelineError):
    """ffmpeg or a model is not where it should be."""


class AudioDecodeError(PipelineError):
    """ffmpeg could not read or process a recording."""


class StageError(PipelineError):
    """A stage failed for a reason of its own (for example, loudness out of tolerance)."""
