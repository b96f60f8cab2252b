"""Running queued videos: the job runner the API hands new videos to."""
