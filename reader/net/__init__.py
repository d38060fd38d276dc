"""The one HTTP client: timeouts, size, redirect and address caps, conditional GET.

`HttpClient.get` is the only way bytes come in from the network. The package splits it by
concern: `client` (requests and redirects), `decode` (Content-Encoding under a cap),
`addresses` (which addresses a request may reach), `hosts` (hosts that timed out this run)
and `errors` (the one exception, FetchError).
"""

from reader.net.addresses import Reach, is_private_address
from reader.net.client import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT,
    FetchResult,
    HttpClient,
)
from reader.net.errors import FetchError
from reader.net.hosts import TimedOutHosts

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_TIMEOUT",
    "FetchError",
    "FetchResult",
    "HttpClient",
    "Reach",
    "TimedOutHosts",
    "is_private_address",
]
