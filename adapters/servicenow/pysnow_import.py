"""pysnow, imported in one place, so that its import-time warning is handled once for every module.

pysnow's attachment helper imports python-magic at import time, and python-magic needs the system's
libmagic; where there is none (python:3.11-slim, the service image) pysnow warns on import, and tests
turn warnings into errors. The connector never sends attachments, so that warning says nothing to it.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Missing the python-magic library", category=UserWarning)
    from pysnow import Client, ParamsBuilder, QueryBuilder, Resource
    from pysnow.exceptions import EmptyContent, MissingResult, MultipleResults, NoResults, PysnowException
    from pysnow.response import Response

__all__ = [
    "Client",
    "EmptyContent",
    "MissingResult",
    "MultipleResults",
    "NoResults",
    "ParamsBuilder",
    "PysnowException",
    "QueryBuilder",
    "Resource",
    "Response",
]
