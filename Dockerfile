# Liaison Bridge: `docker build -t liaison-bridge .`, then see docker-compose.yml or README.md.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN /opt/venv/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    XDG_DATA_HOME=/data \
    HOST=0.0.0.0 \
    PORT=3000
COPY --from=build /opt/venv /opt/venv
# Not root; the default SQLite database lives in /data (a volume), when DATABASE_URL is unset.
RUN useradd --system --uid 10001 --home-dir /data --create-home bridge
USER bridge
WORKDIR /data
VOLUME /data
EXPOSE 3000
# /healthz answers in HTTP and Socket Mode alike; 503 means the database is unreachable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
ENTRYPOINT ["liaison-bridge"]
CMD ["run"]
