"""The one error type business rules raise; views show its message to the user."""


class PlannerError(Exception):
    """A rule was broken; `message` is a translated sentence the user can act on."""

    def __init__(self, message: str, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
