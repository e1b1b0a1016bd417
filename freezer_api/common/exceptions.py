"""Typed errors, and the one map from an error to an HTTP status and body."""


class FreezerError(Exception):
    """Base of every error the API turns into a 4xx answer."""

    status = 500
    title = 'Internal Server Error'

    def __init__(self, description, **extra):
        super().__init__(description)
        self.description = description
        self.extra = extra

    def body(self):
        document = {'title': self.title, 'description': self.description}
        document.update(self.extra)
        return document


class BadRequest(FreezerError):
    status = 400
    title = 'Bad request format'


class Unauthorized(FreezerError):
    status = 401
    title = 'Unauthorized'


class Forbidden(FreezerError):
    status = 403
    title = 'Access Forbidden'


class NotFound(FreezerError):
    status = 404
    title = 'Not Found'


class MethodNotAllowed(FreezerError):
    status = 405
    title = 'Bad Method'

    def __init__(self, description, allow=()):
        super().__init__(description)
        self.allow = allow


class NotAcceptable(FreezerError):
    status = 406
    title = 'Not Acceptable'


class Conflict(FreezerError):
    status = 409
    title = 'Document already existing'


class BodyTooLarge(FreezerError):
    status = 413
    title = 'Request Entity Too Large'


class UnprocessableEntity(FreezerError):
    status = 422
    title = 'Unprocessable Entity'


class ServiceUnavailable(FreezerError):
    status = 503
    title = 'Service Unavailable'


class SessionNameTaken(Exception):
    """Raised by storage: a live session of the project has that name."""
