# Self-hosting: docker build -t panj-border-watch . && docker run -p 8501:8501 panj-border-watch
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY geo ./geo
RUN pip install --no-cache-dir .
COPY . .
# Leaflet from its PyPI package into static/vendor/, served by the app (no CDN at run time)
RUN python -m geo.assets
# glibc's per-thread arenas would otherwise keep ~50 MB per viewer (docs/PERFORMANCE.md)
ENV MALLOC_ARENA_MAX=2
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
