from typing import Any

from pysnow.params_builder import ParamsBuilder
from pysnow.query_builder import QueryBuilder
from pysnow.response import Response

class Resource:
    parameters: ParamsBuilder
    @property
    def path(self) -> str: ...
    def get(
        self,
        query: QueryBuilder | str | dict[str, str] = ...,
        *,
        limit: int = 10000,
        offset: int = 0,
        fields: list[str] = ...,
        display_value: bool | str = ...,
        exclude_reference_link: bool = ...,
        suppress_pagination_header: bool = ...,
        stream: bool = False,
    ) -> Response: ...
    def create(self, payload: dict[str, Any]) -> Response: ...
    def update(self, query: QueryBuilder | str | dict[str, str], payload: dict[str, Any]) -> Response: ...
    def delete(self, query: QueryBuilder | str | dict[str, str]) -> dict[str, Any]: ...
    def request(
        self,
        method: str,
        path_append: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Response: ...
