"""The Celery worker: claims jobs, trains the Keras MLP on Fashion-MNIST, writes results."""
