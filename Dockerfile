# ELA Connector service image.
#   docker build -t ela-connector .
#   docker run -p 8080:8080 -v $PWD/ela.yaml:/etc/ela/config.yaml:ro -e JIRA_TOKEN=... ela-connector
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ELA_CONFIG=/etc/ela/config.yaml

WORKDIR /opt/ela
COPY pyproject.toml README.md ./
COPY connector ./connector
COPY adapters ./adapters
COPY sentiment ./sentiment
COPY simulators ./simulators
COPY config ./config

# The package itself, with its dependencies as pyproject.toml bounds them.
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[postgres]"
# A separate step: .ci/dockerfile-steps.sh replays the install steps above without a container.
# hadolint ignore=DL3059
RUN useradd --system --uid 10001 --home-dir /var/lib/ela --create-home ela

USER 10001
WORKDIR /var/lib/ela
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
CMD ["ela", "serve", "--host", "0.0.0.0"]
