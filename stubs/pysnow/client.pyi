import requests
from pysnow.params_builder import ParamsBuilder
from pysnow.resource import Resource

class Client:
    parameters: ParamsBuilder
    session: requests.Session
    base_url: str
    def __init__(
        self,
        instance: str | None = None,
        host: str | None = None,
        user: str | None = None,
        password: str | None = None,
        raise_on_empty: bool | None = None,
        request_params: dict[str, object] | None = None,
        use_ssl: bool = True,
        session: requests.Session | None = None,
    ) -> None: ...
    def resource(
        self,
        api_path: str | None = None,
        base_path: str = "/api/now",
        chunk_size: int | None = None,
        *,
        timeout: float | tuple[float, float] = 60,
    ) -> Resource: ...
    def close(self) -> None: ...
