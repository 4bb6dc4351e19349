"""Infrastructure: the Redis client, shared cache, event bus, throttles, fair share, pacing, telemetry."""
