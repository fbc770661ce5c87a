# The Roundup API image: `docker build -t roundup .`; see docs/deployment.md.

# Build stage: the runtime dependencies from pyproject.toml, at the versions pinned in
# requirements.lock, in a virtual environment that the runtime stage copies as a whole.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY pyproject.toml requirements.lock ./
RUN python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"], sep="\n")' > requirements.txt \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --quiet -c requirements.lock -r requirements.txt \
 && /opt/venv/bin/pip uninstall --quiet --yes pip setuptools

# Runtime stage: the virtual environment, the app, its migrations and seed data; no build tools.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/roundup.db \
    ROUNDUP_HOST=0.0.0.0 \
    ROUNDUP_PORT=8000
RUN groupadd --system --gid 10001 roundup \
 && useradd --system --uid 10001 --gid roundup --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin roundup \
 && mkdir /data && chown roundup:roundup /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations
COPY seed ./seed
COPY app ./app
RUN python -m compileall -q app migrations
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "app.cli", "healthcheck"]
ENTRYPOINT ["python", "-m", "app.cli"]
CMD ["start"]
