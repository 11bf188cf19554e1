# One image for the API, the worker and the migration job.
FROM python:3.11-slim-bookworm

# Fashion-MNIST from Debian: nothing is downloaded when the service runs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends dataset-fashion-mnist \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt

COPY alembic.ini ./
COPY models ./models
COPY analysis ./analysis
COPY migrations ./migrations
COPY api ./api
COPY worker ./worker

RUN useradd --system --create-home normlab && mkdir -p var && chown normlab var
USER normlab
ENV PYTHONUNBUFFERED=1
# Celery puts the working directory on the path only while it loads the app; tasks import
# packages (analysis) later, so the tree stays on the path.
ENV PYTHONPATH=/app
EXPOSE 8000
