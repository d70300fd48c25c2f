from typing import Any

from requests.structures import CaseInsensitiveDict

class Response:
    @property
    def headers(self) -> CaseInsensitiveDict[str]: ...
    def all(self) -> list[dict[str, Any]]: ...  # a list when not streamed, as here
    def one(self) -> dict[str, Any]: ...
    def one_or_none(self) -> dict[str, Any] | None: ...
