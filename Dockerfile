# Self-hosting: docker build -t panj-border-watch . && docker run -p 8501:8501 panj-border-watch
# BASE: any Debian-based image with Python 3.11+ and its venv module. The default is the
# public Python image; tests/test_image.py builds on Debian bookworm made with debootstrap
# (no image registry is reachable there) and runs the result with podman.
ARG BASE=python:3.11-slim
FROM ${BASE}

# glibc's per-thread arenas would otherwise keep ~50 MB per viewer (docs/PERFORMANCE.md).
# STREAMLIT_SERVER_BASE_URL_PATH: set it (e.g. to "panj") when a proxy serves the app under
# a path; STREAMLIT_SERVER_PORT: another port. The healthcheck and the warm-up follow both.
ENV MALLOC_ARENA_MAX=2 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_BASE_URL_PATH="" \
    STREAMLIT_SERVER_PORT=8501 \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
# The unprivileged user that runs the app (by number, so any host can resolve it)
RUN useradd --create-home --uid 10001 panj

# The locked dependencies first, in a venv of their own (a distribution's Python refuses
# pip in its own prefix): this layer changes only when requirements.txt does.
COPY requirements.txt ./
RUN python3 -m venv /opt/venv && pip install --require-hashes -r requirements.txt

# Then the code, owned by that user.
COPY --chown=10001:10001 . .
USER 10001
# Leaflet from its PyPI package into static/vendor/, served by the app (no CDN at run time)
RUN python -m geo.assets

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; base = os.environ.get('STREAMLIT_SERVER_BASE_URL_PATH', '').strip('/'); urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('STREAMLIT_SERVER_PORT', '8501') + ('/' + base if base else '') + '/_stcore/health', timeout=4)"]
# The server, and beside it a one-off warm-up run (deploy/warm.py), so the first reader after
# a start does not wait for the imports and the data to load.
CMD ["sh", "-c", "python deploy/warm.py & exec streamlit run serve.py --server.address=0.0.0.0"]
