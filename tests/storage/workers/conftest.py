"""Workers on machines that share no disk: PostgreSQL, RabbitMQ, Redis and an S3 bucket.

The same fixtures as the job tests (``tests/jobs/conftest.py``): ``aivideo worker``
processes, each started with settings of its own.
"""

from tests.jobs.conftest import broker_queue, rabbitmq_url, settings, start_worker

__all__ = ["broker_queue", "rabbitmq_url", "settings", "start_worker"]
